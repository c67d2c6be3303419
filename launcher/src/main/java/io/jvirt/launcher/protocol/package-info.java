/**
 * The node agent ↔ launcher protocol: newline-delimited JSON on {@code <run dir>/launcher.sock}
 * (mode 0600). Requests carry a sealed {@link io.jvirt.launcher.protocol.Command}, each legal only in
 * the domain states it names; responses echo the request id; domain events are pushed to every
 * client. Version {@value io.jvirt.launcher.protocol.Message#VERSION}.
 *
 * <pre>
 * → {"kind":"Request","version":1,"id":1,"command":{"type":"Start","paused":false}}
 * ← {"kind":"Event","version":1,"event":{"state":"RUNNING","reason":"started","at":"2026-11-22T07:00:00Z"}}
 * ← {"kind":"Response","version":1,"id":1,"ok":true}
 * → {"kind":"Request","version":1,"id":2,"command":{"type":"Pause"}}
 * ← {"kind":"Response","version":1,"id":2,"ok":false,"error":"Pause is not legal in state PAUSED (legal in [RUNNING])"}
 * </pre>
 */
package io.jvirt.launcher.protocol;
