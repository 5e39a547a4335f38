#!/bin/sh
# Fails (exit 1) when the committed generated code under plugins/proto/pluginv1
# differs from what scripts/gen-proto.sh produces from plugins/proto, i.e.
# somebody edited a .proto without regenerating, or edited generated code.
# It regenerates into the working tree, so a failure leaves the fresh code
# there to inspect or commit.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

sh scripts/gen-proto.sh
# Untracked generated files (a new .proto) count as a difference too.
untracked=$(git ls-files --others --exclude-standard -- plugins/proto/pluginv1)
if ! git diff --exit-code --stat -- plugins/proto/pluginv1 || [ -n "$untracked" ]; then
	[ -n "$untracked" ] && printf 'untracked generated files:\n%s\n' "$untracked" >&2
	echo "check-generated: plugins/proto/pluginv1 is out of date with plugins/proto;" >&2
	echo "run scripts/gen-proto.sh and commit the result." >&2
	exit 1
fi
echo "check-generated: plugins/proto/pluginv1 is up to date."
