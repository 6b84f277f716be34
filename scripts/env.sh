# Sourced by the scripts: one target folder outside the checkout, so every clone and every
# run on this machine reuses the same build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/herald-target}"
export PATH="$HOME/.cargo/bin:$PATH"
