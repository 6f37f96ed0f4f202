#!/bin/bash
# The documented training path end to end on a tiny generated dataset: generate (and read its info),
# train BEVFormer embedded for 3 steps with both official augmentations (GridMask, photometric
# distortion) and our auxiliary heads (BEV proposals, perspective heatmap, BEV velocity), resume to 4,
# evaluate the checkpoint on the same scene (the heads found from its tensors; also with the history
# withheld), export it for shipping (the training-only perspective and velocity heads left out),
# fine-tune a new run from the export with a consecutive queue (twice, with different velocity loss
# weights and learning rates), and check every promised file exists and that bad fine-tuning options
# are refused by name.
# The training targets, scored as predictions, must score as the GT.
# Usage: cli_train_smoke.sh ROADSIGHT_CLI WORK_DIR
set -euo pipefail
cli=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
"$cli" generate --scenes 1 --seconds 2 --width 160 --height 90 --seed 4 --out "$work/data"
# info's motion columns: the scene has moving cars, and their speed is urban.
"$cli" info "$work/data" > "$work/info.txt"
grep -Eq '^  car +[0-9]+ +[0-9.]+% +[1-9][0-9]?\.[0-9]+ m/s$' "$work/info.txt" || { echo "info lacks the cars' motion" >&2; exit 1; }
# The training targets scored as predictions are the devkit's GT, velocities included (the real
# frame's test has none): every frame change between dataset, targets and submission holds.
"$cli" eval detection --data "$work/data" --split train --targets --out "$work/targets" > "$work/targets.txt"
# Per class: AP 1 without ATE, ASE, AOE or AVE, or the devkit's row for a class without GT (AP 0,
# errors 1); some class scored must move, or the velocities went untested.
awk '/^class / { table = 1; next } table && NF == 8 {
         if ($2 == "1.000") { if ($3 != "0.000" || $4 != "0.000" || ($5 != "nan" && $5 + 0 >= 0.01) ||
                                  ($6 != "nan" && $6 + 0 >= 0.01)) bad = 1; if ($8 != "nan" && $8 + 0 > 0.5) moving = 1 }
         else if ($2 != "0.000" || $3 != "1.000") bad = 1; rows++ }
     END { exit !(rows == 10 && !bad && moving) }' "$work/targets.txt" ||
    { echo "the training targets do not score as the GT:" >&2; cat "$work/targets.txt" >&2; exit 1; }
"$cli" train bevformer --data "$work/data" --out "$work/run" --steps 3 --checkpoint-every 3 --grid-mask --photometric \
    --proposals --perspective --bev-velocity
"$cli" train bevformer --data "$work/data" --out "$work/run" --steps 4 --checkpoint-every 3 --grid-mask --photometric \
    --proposals --perspective --bev-velocity
for f in checkpoints/step_3.safetensors checkpoints/step_4.safetensors losses.csv loss_curve.png state.json; do
    [ -s "$work/run/$f" ] || { echo "missing $work/run/$f" >&2; exit 1; }
done
rows=$(($(wc -l < "$work/run/losses.csv") - 1))
[ "$rows" -eq 4 ] || { echo "losses.csv has $rows step rows, expected 4" >&2; exit 1; }
head -1 "$work/run/losses.csv" | grep -q 'loss_heatmap,loss_perspective,loss_bev_velocity' || { echo "losses.csv lacks the heads' losses" >&2; exit 1; }
"$cli" eval detection --data "$work/data" --split train --weights "$work/run/checkpoints/step_4.safetensors" \
    --out "$work/eval"
grep -q '"nd_score"' "$work/eval/metrics_summary.json"
"$cli" eval detection --data "$work/data" --split train --weights "$work/run/checkpoints/step_4.safetensors" \
    --out "$work/eval_alone" --pictures 0 --no-history | grep -q "previous BEV withheld"
grep -q '"nd_score"' "$work/eval_alone/metrics_summary.json"
"$cli" export bevformer --weights "$work/run/checkpoints/step_4.safetensors" --out "$work/ship.safetensors" --half
header=$(head -c 262144 "$work/ship.safetensors" | tr -c '[:print:]' ' ')
grep -q '"proposal_head\.' <<< "$header" || { echo "the export lost the proposal head" >&2; exit 1; }
if grep -q '"perspective_head\.' <<< "$header"; then echo "the export kept the perspective head" >&2; exit 1; fi
if grep -q '"velocity_head\.' <<< "$header"; then echo "the export kept the velocity head" >&2; exit 1; fi

"$cli" train bevformer --data "$work/data" --out "$work/tuned" --steps 1 --checkpoint-every 1 --init "$work/ship.safetensors" \
    --queue-span 1 --velocity-weight 1 | tee "$work/tuned.log"
grep -q "started from $work/ship.safetensors" "$work/tuned.log" || { echo "the fine-tune did not start from the export" >&2; exit 1; }
[ -s "$work/tuned/checkpoints/step_1.safetensors" ] || { echo "the fine-tune wrote no checkpoint" >&2; exit 1; }
# The velocity weight reaches the loss: the same first step without it logs a different box loss
# (taken before the optimizer steps, so the lower --lr of this run does not change it).
"$cli" train bevformer --data "$work/data" --out "$work/tuned0" --steps 1 --checkpoint-every 1 --init "$work/ship.safetensors" \
    --queue-span 1 --velocity-weight 0 --lr 1e-4 > /dev/null
column() { awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == name) c = i } NR == 2 { print $c }' "$1"; }
[ "$(column "$work/tuned/losses.csv" loss_bbox)" != "$(column "$work/tuned0/losses.csv" loss_bbox)" ] ||
    { echo "--velocity-weight did not change the box loss" >&2; exit 1; }
# --lr scales the whole schedule: a quarter of embedded's 4e-4 logs a quarter of its first step's rate.
awk -v a="$(column "$work/tuned/losses.csv" lr)" -v b="$(column "$work/tuned0/losses.csv" lr)" \
    'BEGIN { exit !(b > 0 && a / b > 3.999 && a / b < 4.001) }' ||
    { echo "--lr 1e-4 did not quarter the learning rate" >&2; exit 1; }
refused() {  # refused PATTERN ARGS...: the command must fail and name PATTERN
    if "$cli" "${@:2}" > "$work/refused.log" 2>&1; then echo "accepted: ${*:2}" >&2; exit 1; fi
    grep -q -- "$1" "$work/refused.log" || { echo "the error for '${*:2}' does not name $1:" >&2; cat "$work/refused.log" >&2; exit 1; }
}
refused proposal_head train bevformer --data "$work/data" --out "$work/wrong" --steps 1 --init "$work/ship.safetensors" --no-proposals
refused queue-span train bevformer --data "$work/data" --out "$work/wrong2" --steps 1 --queue-span nan
refused velocity-weight train bevformer --data "$work/data" --out "$work/wrong3" --steps 1 --velocity-weight -1
refused --lr train bevformer --data "$work/data" --out "$work/wrong5" --steps 1 --lr 0
refused targets eval detection --data "$work/data" --split train --targets --weights "$work/ship.safetensors" --out "$work/wrong4"
echo "train smoke: ok"
