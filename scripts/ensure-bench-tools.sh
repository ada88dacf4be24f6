#!/usr/bin/env bash
# bench/files compares Tessera's WebDAV with Apache mod_dav: this installs Debian's apache2 (which
# brings apache2-utils' htpasswd) when missing. Idempotent; never a downloaded build.
set -euo pipefail
if command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ]; then
  if command -v htpasswd >/dev/null 2>&1 || [ -x /usr/bin/htpasswd ]; then exit 0; fi
fi
if [ "$(id -u)" != "0" ]; then SUDO=sudo; else SUDO=; fi
if ! command -v apt-get >/dev/null; then
  echo "Apache httpd with mod_dav is needed for bench/files: install it with your package manager (Debian/Ubuntu: apt-get install apache2)." >&2
  exit 1
fi
echo "Installing Debian's apache2 for bench/files..."
$SUDO apt-get update -qq
# The bench never uses the system-wide apache2 service: it runs its own instance, with a generated
# config, on a free loopback port.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq apache2 apache2-utils >/dev/null
