#!/bin/bash
# The shipped recipes (GRU-64, 20 epochs, KD) per CV fold 1-3; fold 0 is the shipped model's own run.
cd "$(dirname "$0")/../../.."
D=runs/pipeline/ecg-gru32/ds1.npz
F=('' '["209","119","124","101","112","230"]' '["207","208","114","122","109"]' '["118","203","215","116","108","115","205"]')
for i in 1 2 3; do
  O=runs/exp/exact64/fold$i
  /usr/bin/python3 -m tools.trainer --threads 1 teacher --recipe tools/experiments/ecg-folds/teacher64.json --data $D --out $O --set "dataset.valRecords=${F[$i]}" > $O.log 2>&1
  /usr/bin/python3 -m tools.trainer --threads 1 distill --recipe tools/experiments/ecg-folds/student64.json --teacher $O/teacher/best.pt --data $D --out $O >> $O.log 2>&1
done
