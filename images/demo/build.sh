#!/usr/bin/env bash
# Builds the jvirt demo guest from Debian packages only (no root, no loop mounts) into
# build/images/demo (or $1):
#   demo.qcow2                     SeaBIOS -> syslinux -> kernel + initramfs, on a FAT superfloppy
#                                  (busybox, a NoCloud cloud-init, dropbear for SSH)
#   demo-vmlinuz, demo-initrd      the same guest for direct kernel boot (firmware.kernelBoot)
#   demo-vmlinux                   the uncompressed kernel (PVH): boots ~3 s faster under TCG
#   containerdisk/, containerdisk.tar
#                                  an OCI image whose single layer holds /disk/demo.qcow2 (107:107)
#   kernelboot/, kernelboot.tar    an OCI image whose single layer holds /boot/vmlinuz and /boot/initrd
# Idempotent: does nothing when the outputs match this folder's contents and the kernel package.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-$ROOT/build/images/demo}
CACHE=$ROOT/build/images/cache
DISK_MIB=48

kernel_package() {
  apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}
pkg=$(kernel_package)
if [ -z "$pkg" ]; then apt-get update -qq; pkg=$(kernel_package); fi
[ -n "$pkg" ] || { echo "build.sh: cannot find the Debian kernel package (linux-image-amd64)" >&2; exit 1; }

stamp=$( (echo "$pkg"; cd "$HERE" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16)
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$stamp" ]; then exit 0; fi
echo "build.sh: building the demo guest ($pkg) into $OUT" >&2

mkdir -p "$CACHE" "$OUT"
WORK=$(mktemp -d "$ROOT/build/images/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if ! ls "$CACHE/$pkg"_*.deb >/dev/null 2>&1; then
  (cd "$CACHE" && { apt-get download "$pkg" 2>/dev/null || { apt-get update -qq && apt-get download "$pkg" 2>/dev/null; }; }) \
    || { echo "build.sh: cannot download $pkg" >&2; exit 1; }
fi
deb=$(ls "$CACHE/$pkg"_*.deb | head -n1)
dpkg-deb -x "$deb" "$WORK/kernel"
kver=${pkg#linux-image-}
kmods=$WORK/kernel/lib/modules/$kver
busybox depmod -b "$WORK/kernel" "$kver"   # also decompresses the .ko.xz files in place

# --- initramfs ---------------------------------------------------------------------------
R=$WORK/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,root,var,etc,lib/modules/$kver}
cp -a "$HERE/rootfs/." "$R/"
cp /bin/busybox "$R/bin/busybox"
for applet in $(busybox --list-full); do
  [ -e "$R/$applet" ] || ln -s /bin/busybox "$R/$applet"
done
ln -sf /bin/busybox "$R/init"
# SSH: Debian's dropbear (dropbear-bin) with the shared libraries it links; the rest of the guest is static busybox
[ -x /usr/sbin/dropbear ] || { echo "build.sh: /usr/sbin/dropbear missing (Debian dropbear-bin, scripts/env.sh installs it)" >&2; exit 1; }
cp /usr/sbin/dropbear "$R/usr/sbin/dropbear"
for lib in $(ldd /usr/sbin/dropbear | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
  mkdir -p "$R$(dirname "$lib")"
  cp -L "$lib" "$R$lib"
done
mkdir -p "$R/etc/dropbear"

# the listed modules and everything they depend on (busybox modprobe reads plain .ko)
module_path() { # name -> path relative to the modules dir (names match with - and _ alike)
  local re=${1//[-_]/[-_]}
  grep -oE "^kernel/[^:]*/${re}\.ko:" "$kmods/modules.dep" | head -n1 | tr -d ':'
}
needed=()
while read -r m; do
  [ -n "$m" ] || continue
  p=$(module_path "$m")
  [ -n "$p" ] || { echo "build.sh: no kernel module $m" >&2; exit 1; }
  needed+=("$p")
  read -r -a deps <<< "$(grep -E "^$p:" "$kmods/modules.dep" | cut -d: -f2)"
  needed+=("${deps[@]}")
done < "$HERE/rootfs/etc/modules"
for p in $(printf '%s\n' "${needed[@]}" | sort -u); do
  mkdir -p "$R/lib/modules/$kver/$(dirname "$p")"
  cp "$kmods/$p" "$R/lib/modules/$kver/$p"
done
busybox depmod -b "$R" "$kver"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9n > "$WORK/initrd"

# --- kernels ------------------------------------------------------------------------------
cp "$WORK/kernel/boot/vmlinuz-$kver" "$WORK/vmlinuz"
# the bzImage carries an xz stream: cut from its magic and decompress (trailing data is ignored)
offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$WORK/vmlinuz" | head -n1 | cut -d: -f1)
tail -c +$((offset + 1)) "$WORK/vmlinuz" | xz -dc --single-stream > "$WORK/vmlinux" 2>/dev/null || true
[ "$(head -c4 "$WORK/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || { echo "build.sh: could not extract vmlinux" >&2; exit 1; }

# --- BIOS disk: FAT superfloppy with syslinux -----------------------------------------------
img=$WORK/disk.img
mkfs.vfat -C -n JVIRTDEMO "$img" $((DISK_MIB * 1024)) >/dev/null
syslinux --install "$img"
cat > "$WORK/syslinux.cfg" <<CFG
DEFAULT jvirt
PROMPT 0
TIMEOUT 0
LABEL jvirt
  KERNEL /vmlinuz
  INITRD /initrd
  APPEND console=tty0 console=ttyS0,115200n8 quiet no_timer_check
CFG
mcopy -i "$img" "$WORK/syslinux.cfg" ::/syslinux.cfg
mcopy -i "$img" "$WORK/vmlinuz" ::/vmlinuz
mcopy -i "$img" "$WORK/initrd" ::/initrd
qemu-img convert -q -f raw -O qcow2 "$img" "$WORK/demo.qcow2"

# --- OCI images: one gzip layer each, as an OCI image layout and its tar ------------------------
oci_image() { # NAME LAYER_DIR OWNER: $WORK/NAME (layout) and $WORK/NAME.tar from LAYER_DIR's contents
  local out=$WORK/$1 layer=$WORK/$1-layer.tar d diff_id layer_digest layer_size config_digest config_size manifest_digest manifest_size
  mkdir -p "$out/blobs/sha256"
  blob() { # file -> stores it as a blob, prints "digest size"
    d=$(sha256sum "$1" | cut -d' ' -f1)
    cp "$1" "$out/blobs/sha256/$d"
    echo "sha256:$d $(stat -c %s "$1")"
  }
  (cd "$2" && tar --sort=name --mtime=@0 --owner="$3" --group="$3" --numeric-owner -cf "$layer" -- *)
  gzip -9n < "$layer" > "$layer.gz"
  diff_id=sha256:$(sha256sum "$layer" | cut -d' ' -f1)
  read -r layer_digest layer_size <<< "$(blob "$layer.gz")"
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created_by":"jvirt images/demo/build.sh"}]}' \
    "$diff_id" > "$WORK/$1-config.json"
  read -r config_digest config_size <<< "$(blob "$WORK/$1-config.json")"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
    "$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$WORK/$1-manifest.json"
  read -r manifest_digest manifest_size <<< "$(blob "$WORK/$1-manifest.json")"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
    "$manifest_digest" "$manifest_size" > "$out/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$out" -cf "$WORK/$1.tar" oci-layout index.json blobs
}

# containerDisk: /disk/demo.qcow2 owned by 107:107 (KubeVirt's layout)
mkdir -p "$WORK/cd/disk"
cp "$WORK/demo.qcow2" "$WORK/cd/disk/demo.qcow2"
chmod 0555 "$WORK/cd/disk"; chmod 0440 "$WORK/cd/disk/demo.qcow2"
oci_image containerdisk "$WORK/cd" 107
# kernel-boot image: /boot/vmlinuz and /boot/initrd (kernelBoot.container's kernelPath and initrdPath)
mkdir -p "$WORK/kb/boot"
cp "$WORK/vmlinuz" "$WORK/kb/boot/vmlinuz"; cp "$WORK/initrd" "$WORK/kb/boot/initrd"
chmod 0555 "$WORK/kb/boot"; chmod 0444 "$WORK/kb/boot/vmlinuz" "$WORK/kb/boot/initrd"
oci_image kernelboot "$WORK/kb" 0

# --- publish --------------------------------------------------------------------------------
rm -rf "$OUT/containerdisk" "$OUT/kernelboot"
mv "$WORK/demo.qcow2" "$OUT/demo.qcow2"
mv "$WORK/vmlinuz" "$OUT/demo-vmlinuz"
mv "$WORK/initrd" "$OUT/demo-initrd"
mv "$WORK/vmlinux" "$OUT/demo-vmlinux"
mv "$WORK/containerdisk" "$OUT/containerdisk"
mv "$WORK/containerdisk.tar" "$OUT/containerdisk.tar"
mv "$WORK/kernelboot" "$OUT/kernelboot"
mv "$WORK/kernelboot.tar" "$OUT/kernelboot.tar"
echo "$stamp" > "$OUT/.stamp"
ls -l "$OUT" >&2
