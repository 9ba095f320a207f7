#!/bin/bash
# The exact pipeline recipes (teacher, then the distilled student) trained per DS1 fold:
#   exact.sh <name> <teacher recipe> <student recipe> [seed] [folds, default "0 1 2 3"]
# Fold 0 holds out the pipeline's own validation records. docs/ecg-folds.md tells the runs.
cd "$(dirname "$0")/../../.."
D=runs/pipeline/ecg-gru32/ds1.npz
F=('["106","201","220","223"]' '["209","119","124","101","112","230"]' '["207","208","114","122","109"]' '["118","203","215","116","108","115","205"]')
SEED=${4:+--set seed=$4}
for i in ${5:-0 1 2 3}; do
  O=runs/exp/$1/fold$i; mkdir -p $O
  /usr/bin/python3 -m tools.trainer --threads 1 teacher --recipe $2 --data $D --out $O --set "dataset.valRecords=${F[$i]}" $SEED > $O.log 2>&1
  /usr/bin/python3 -m tools.trainer --threads 1 distill --recipe $3 --teacher $O/teacher/best.pt --data $D --out $O $SEED >> $O.log 2>&1
done
