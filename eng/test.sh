#!/usr/bin/env bash
# The whole OffGrid test suite on a fresh machine: installs what the tests need (Debian packages, .NET
# packages), builds, and runs every test project. The native llama.cpp runtime and the test models are
# provided by the tests themselves through OffGrid's own runtime installer and GGUF writer.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
# g++ builds the small llama.cpp program that renders chat templates as llama-server does (the templates' oracle).
command -v g++ >/dev/null 2>&1 || packages+=(g++)
# A real OpenLDAP server for the LDAP sign-in tests (configured by the tests from their own slapd.conf, not debconf).
[ -x /usr/sbin/slapd ] || packages+=(slapd)
command -v ldapsearch >/dev/null 2>&1 || packages+=(ldap-utils)
# The CLI tests type into a pseudo-terminal (tmux); the README tests run its commands (curl) in private namespaces
# (ip from iproute2; the peer tests' LAN machines are network namespaces too) and check the systemd unit (systemd-analyze).
command -v tmux >/dev/null 2>&1 || packages+=(tmux)
command -v curl >/dev/null 2>&1 || packages+=(curl)
command -v ip >/dev/null 2>&1 || packages+=(iproute2)
command -v systemd-analyze >/dev/null 2>&1 || packages+=(systemd)
command -v espeak-ng >/dev/null 2>&1 || packages+=(espeak-ng) # the zero-download voice; speech tests speak with it
command -v ffmpeg >/dev/null 2>&1 || packages+=(ffmpeg)       # FLAC/Opus/M4A input and MP3/Opus output in the speech tests
if ((${#packages[@]})); then
  if [ "$(id -u)" = 0 ]; then
    # Packages such as slapd start a system service on install; the tests run their own, so forbid service starts meanwhile.
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      policy=/usr/sbin/policy-rc.d
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
    fi
    installed=0
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null || installed=$?
    [ -z "$policy" ] || rm -f "$policy"
    [ "$installed" = 0 ] || exit "$installed"
  else
    echo "warning: missing Debian packages (${packages[*]}); run as root to install them" >&2
  fi
fi

# Central package management pins only what a project uses.
unused=()
for package in $(grep -o 'PackageVersion Include="[^"]*"' Directory.Packages.props | cut -d'"' -f2); do
  git grep -qF "PackageReference Include=\"$package\"" -- '*.csproj' '*.props' || unused+=("$package")
done
if ((${#unused[@]})); then
  echo "Directory.Packages.props pins packages that no project references: ${unused[*]}" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build OffGrid.sln -c Release -nologo -v:q
# Every library, and the CLI as a .NET tool, must pack as its own NuGet package into a local folder feed.
for project in libs/*/*.csproj hosts/cli/OffGrid.Cli.csproj; do
  dotnet pack "$project" -c Release --no-build -nologo -v:q -o artifacts/packages
done

results=$(mktemp -d)
status=0
dotnet test OffGrid.sln -c Release --no-build -nologo -m:1 --logger "trx" --results-directory "$results" -- xUnit.StopOnFail=false || status=$?

# One plain closing line over all test projects, summed from the TRX result files.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
