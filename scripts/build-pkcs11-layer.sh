#!/usr/bin/env bash
# Builds the Lambda layer the wrap function needs: pkcs11js (native, Node-API) compiled on Amazon
# Linux 2023 for the nodejs22.x runtime, together with a vendor PKCS#11 library. Worked example:
# the AWS CloudHSM Client SDK 5 PKCS#11 library. See docs/deploy.md.
#
# Layer layout (a layer is mounted at /opt):
#   nodejs/node_modules/pkcs11js/   -> /opt/nodejs/node_modules/pkcs11js (the wrap bundle imports it)
#   cloudhsm/lib, cloudhsm/etc      -> /opt/cloudhsm/... (where SDK 5 looks for its config and CA)
#   lib/                            -> /opt/lib (on LD_LIBRARY_PATH) for shared libraries the
#                                      vendor library needs that the runtime image lacks
#
# It must run on Amazon Linux 2023 x86_64 (the nodejs22.x runtime's OS), e.g. an EC2 instance or
# the container image public.ecr.aws/sam/build-nodejs22.x. It cannot run on the byok CI machine
# (Debian, no Docker, no network beyond the npm and Debian registries) and refuses elsewhere.
#
# Usage:
#   scripts/build-pkcs11-layer.sh --vendor cloudhsm --hsm-ip 10.0.1.23 --ca-cert customerCA.crt [--out dist/layer]
#   scripts/build-pkcs11-layer.sh --vendor custom --library /path/libvendor.so [--lib-dir /path/deps] [--out dist/layer]
# Then:
#   aws lambda publish-layer-version --layer-name byok-pkcs11 --zip-file fileb://dist/layer/byok-pkcs11-layer.zip \
#     --compatible-runtimes nodejs22.x --compatible-architectures x86_64
set -euo pipefail

PKCS11JS_VERSION="2.1.7" # keep equal to package.json
CLOUDHSM_PKCS11_RPM_URL="${CLOUDHSM_PKCS11_RPM_URL:-https://s3.amazonaws.com/cloudhsmv2-software/CloudHsmClient/Amzn2023/cloudhsm-pkcs11-latest.amzn2023.x86_64.rpm}"

vendor=""
hsm_ip=""
ca_cert=""
library=""
lib_dir=""
out="dist/layer"

usage() {
  sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
}

fail() {
  echo "build-pkcs11-layer: $1" >&2
  [ $# -gt 1 ] && echo "hint: $2" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --vendor) vendor="${2:-}"; shift 2 ;;
    --hsm-ip) hsm_ip="${2:-}"; shift 2 ;;
    --ca-cert) ca_cert="${2:-}"; shift 2 ;;
    --library) library="${2:-}"; shift 2 ;;
    --lib-dir) lib_dir="${2:-}"; shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown option $1" "run with --help" ;;
  esac
done

case "$vendor" in
  cloudhsm)
    [ -n "$hsm_ip" ] || fail "--hsm-ip is required for cloudhsm" "the IP of an HSM ENI of your cluster (aws cloudhsmv2 describe-clusters)"
    [ -f "$ca_cert" ] || fail "--ca-cert must name the cluster's issuing certificate (customerCA.crt)" "the certificate you signed the cluster CSR with"
    ;;
  custom)
    [ -f "$library" ] || fail "--library must name the vendor PKCS#11 shared library"
    ;;
  *) fail "--vendor must be cloudhsm or custom" "run with --help" ;;
esac

# Only Amazon Linux 2023 x86_64 builds a pkcs11.node (glibc, libstdc++) and picks vendor RPMs that
# match the runtime. Anything else would produce a layer that fails at cold start.
os_id="$(. /etc/os-release 2>/dev/null && echo "${ID:-}:${VERSION_ID:-}")"
if [ "$os_id" != "amzn:2023" ] || [ "$(uname -m)" != "x86_64" ]; then
  fail "this machine is ${os_id:-unknown}/$(uname -m), not Amazon Linux 2023 x86_64: the layer would not load in nodejs22.x" \
    "run it on Amazon Linux 2023 (EC2, or: docker run --rm -v \"\$PWD\":/src -w /src public.ecr.aws/sam/build-nodejs22.x scripts/build-pkcs11-layer.sh ...)"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)"
[ "$node_major" = "22" ] || fail "node 22 is needed (found: $node_major)" "dnf install -y nodejs22 nodejs22-npm, or use the build-nodejs22.x image"
for tool in gcc g++ make python3 zip curl rpm2cpio cpio; do
  command -v "$tool" >/dev/null || fail "$tool is missing" "dnf install -y gcc-c++ make python3 zip curl rpm cpio"
done

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/layer/nodejs" "$stage/layer/lib" "$out"
out="$(cd "$out" && pwd)"

echo "== pkcs11js $PKCS11JS_VERSION, built from source for this OS and Node $(node -v)"
(
  cd "$stage/layer/nodejs"
  npm init -y >/dev/null
  npm install --omit=dev --no-audit --no-fund --build-from-source "pkcs11js@$PKCS11JS_VERSION"
  rm -f package.json package-lock.json
  # Only the binary and the JS entry are needed at run time.
  rm -rf node_modules/pkcs11js/build/Release/obj.target node_modules/pkcs11js/src
)
node -e "require('$stage/layer/nodejs/node_modules/pkcs11js'); console.log('pkcs11js loads')"

if [ "$vendor" = "cloudhsm" ]; then
  echo "== CloudHSM Client SDK 5 PKCS#11 library"
  curl -fsSL -o "$stage/cloudhsm-pkcs11.rpm" "$CLOUDHSM_PKCS11_RPM_URL"
  (cd "$stage" && rpm2cpio cloudhsm-pkcs11.rpm | cpio -idm --quiet)
  mkdir -p "$stage/layer/cloudhsm"
  cp -a "$stage/opt/cloudhsm/lib" "$stage/opt/cloudhsm/etc" "$stage/layer/cloudhsm/"
  [ -d "$stage/opt/cloudhsm/bin" ] && cp -a "$stage/opt/cloudhsm/bin" "$stage/layer/cloudhsm/"
  cp "$ca_cert" "$stage/layer/cloudhsm/etc/customerCA.crt"
  # /opt is read-only in Lambda: write the configuration now, and log to the terminal (CloudWatch)
  # instead of /opt/cloudhsm/run.
  configure="$stage/opt/cloudhsm/bin/configure-pkcs11"
  if [ -x "$configure" ]; then
    # configure-pkcs11 edits the config under /opt/cloudhsm; point it at the staged copy.
    sudo_or_env=()
    [ "$(id -u)" = "0" ] || sudo_or_env=(sudo)
    "${sudo_or_env[@]}" mkdir -p /opt/cloudhsm
    "${sudo_or_env[@]}" cp -a "$stage/layer/cloudhsm/." /opt/cloudhsm/
    "${sudo_or_env[@]}" /opt/cloudhsm/bin/configure-pkcs11 -a "$hsm_ip" --log-type term
    cp /opt/cloudhsm/etc/cloudhsm-pkcs11.cfg "$stage/layer/cloudhsm/etc/cloudhsm-pkcs11.cfg"
  else
    fail "configure-pkcs11 not found in the RPM" "check CLOUDHSM_PKCS11_RPM_URL"
  fi
  library="$stage/layer/cloudhsm/lib/libcloudhsm_pkcs11.so"
  [ -f "$library" ] || fail "libcloudhsm_pkcs11.so not found in the RPM"
else
  echo "== vendor library $library"
  mkdir -p "$stage/layer/vendor/lib"
  cp "$library" "$stage/layer/vendor/lib/"
  library="$stage/layer/vendor/lib/$(basename "$library")"
  if [ -n "$lib_dir" ]; then cp -a "$lib_dir/." "$stage/layer/lib/"; fi
fi

echo "== shared libraries the runtime lacks"
missing="$(LD_LIBRARY_PATH="$stage/layer/lib" ldd "$library" | awk '/not found/ {print $1}')"
[ -z "$missing" ] || fail "the vendor library needs libraries not in the layer: $missing" "pass --lib-dir with them"

echo "== zip"
(cd "$stage/layer" && zip -qr9 "$out/byok-pkcs11-layer.zip" .)
echo "layer: $out/byok-pkcs11-layer.zip ($(du -h "$out/byok-pkcs11-layer.zip" | cut -f1))"
case "$vendor" in
  cloudhsm) echo "deploy with: --param pkcs11LibraryPath=/opt/cloudhsm/lib/libcloudhsm_pkcs11.so --param hsmTokenLabel=hsm1" ;;
  custom) echo "deploy with: --param pkcs11LibraryPath=/opt/vendor/lib/$(basename "$library")" ;;
esac
