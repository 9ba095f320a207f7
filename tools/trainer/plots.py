"""PNG plots of a metrics.jsonl: loss, learning rate, gradient norms, gate saturation, val F1.

Matplotlib (Debian's python3-matplotlib) is optional: without it plotting is skipped with a note.
"""
import os

from .monitor import read_jsonl


def plot_metrics(jsonl_path: str, out_dir: str):
    """Writes <out_dir>/training.png (one row of panels per run); returns its path or None."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except Exception:
        return None
    records = read_jsonl(jsonl_path)
    runs = [r for r in dict.fromkeys(rec['run'] for rec in records if rec['event'] == 'step')]
    if not runs:
        return None
    fig, axes = plt.subplots(len(runs), 4, figsize=(18, 3.4 * len(runs)), squeeze=False)
    for row, run in zip(axes, runs):
        steps = [r for r in records if r['run'] == run and r['event'] == 'step']
        epochs = [r for r in records if r['run'] == run and r['event'] == 'epoch']
        s = [r['step'] for r in steps]
        row[0].plot(s, [r['loss'] for r in steps], lw=0.8)
        row[0].set_title(f'{run}: training loss')
        ax = row[0].twinx()
        ax.plot(s, [r['lr'] for r in steps], color='tab:gray', lw=0.8)
        ax.set_ylabel('lr')
        row[1].plot(s, [r['gradNorm'] for r in steps], lw=0.8, label='before clip')
        row[1].plot(s, [r['gradNormClipped'] for r in steps], lw=0.8, label='after clip')
        row[1].set_yscale('log')
        row[1].set_title('gradient norm')
        row[1].legend(fontsize=7)
        probes = [r for r in steps if 'gateSat' in r]
        for gate in (probes[0]['gateSat'] if probes else {}):
            row[2].plot([r['step'] for r in probes], [r['gateSat'][gate] for r in probes], marker='.', label=gate)
        row[2].set_title('gate saturation fraction')
        row[2].legend(fontsize=7)
        row[3].plot([r['epoch'] for r in epochs], [r['valMacroF1'] for r in epochs], marker='o', label='val macro F1')
        row[3].plot([r['epoch'] for r in epochs], [r['valAccuracy'] for r in epochs], marker='.', label='val accuracy')
        row[3].set_title('validation')
        row[3].legend(fontsize=7)
        for a in row:
            a.set_xlabel('step' if a is not row[3] else 'epoch')
    fig.tight_layout()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, 'training.png')
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
