#!/usr/bin/env bash
# The files tests drive Debian's WebDAV clients (litmus, cadaver, rclone), check zips with unzip,
# convert office documents with LibreOffice (soffice) for previews and scan with a real clamd
# (clamav-daemon); this installs the missing ones.
set -euo pipefail
missing=()
for tool in litmus cadaver rclone unzip; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
# Previews: Writer, Calc and Impress without the desktop (Draw comes with Impress and imports PDFs).
if ! command -v soffice >/dev/null 2>&1; then
  missing+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
fi
# clamd lives in /usr/sbin, which is not on every PATH.
command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ] || missing+=(clamav-daemon)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then SUDO=sudo; else SUDO=; fi
if ! command -v apt-get >/dev/null; then
  echo "The files tests need ${missing[*]}: install them with your package manager (Debian/Ubuntu: apt-get install ${missing[*]})." >&2
  exit 1
fi
echo "Installing Debian's ${missing[*]} for the files tests..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
