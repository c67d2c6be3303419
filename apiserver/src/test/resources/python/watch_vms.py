"""Watches VirtualMachines of one namespace with the Python kubernetes client (Debian python3-kubernetes).

Usage: watch_vms.py KUBECONFIG NAMESPACE NAME
Lists first and prints "READY <resourceVersion>", then watches from that version (with
timeoutSeconds and allowWatchBookmarks) and prints "<TYPE> <name> <runStrategy>" for each event of
NAME until it is DELETED. Exits 2 when the watch ends without that.
"""
import sys

from kubernetes import client, config, watch


def main():
    kubeconfig, namespace, name = sys.argv[1:4]
    config.load_kube_config(config_file=kubeconfig)
    api = client.CustomObjectsApi()
    listed = api.list_namespaced_custom_object("kubevirt.io", "v1", namespace, "virtualmachines")
    rv = listed["metadata"]["resourceVersion"]
    print("READY", rv, flush=True)
    w = watch.Watch()
    for event in w.stream(api.list_namespaced_custom_object, "kubevirt.io", "v1", namespace, "virtualmachines",
                          resource_version=rv, timeout_seconds=90, allow_watch_bookmarks=True):
        obj = event["object"]
        if event["type"] == "BOOKMARK" or obj["metadata"]["name"] != name:
            continue
        print(event["type"], name, obj.get("spec", {}).get("runStrategy"), flush=True)
        if event["type"] == "DELETED":
            w.stop()
            return 0
    print("ENDED without DELETED", flush=True)
    return 2


if __name__ == "__main__":
    sys.exit(main())
