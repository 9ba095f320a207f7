"""Knowledge-distillation loss (Hinton et al. 2015).

    loss = alpha * T^2 * KL(softmax(t / T) || softmax(s / T)) + (1 - alpha) * CE(s, y)

T^2 keeps the soft-target gradients on the same scale as the hard-label ones when T changes.
KL is averaged over the batch ('batchmean'), the mathematically correct reduction. With class
weights, each window's KL is weighted by the weight of its true class (a weighted mean), as the
hard term is: otherwise the soft term, dominated by the majority class, pulls a student trained
on imbalanced beats back towards N, undoing the class weighting.
"""
import torch
import torch.nn.functional as F


def kd_loss(student_logits, teacher_logits, targets, temperature: float, alpha: float, class_weight=None):
    hard = F.cross_entropy(student_logits.float(), targets, weight=class_weight)
    if alpha == 0.0:
        return hard
    t = temperature
    soft_teacher = F.softmax(teacher_logits.float() / t, dim=-1)
    log_student = F.log_softmax(student_logits.float() / t, dim=-1)
    per_window = F.kl_div(log_student, soft_teacher, reduction='none').sum(dim=-1)
    if class_weight is None:
        soft = per_window.mean()
    else:
        w = class_weight[targets]
        soft = (w * per_window).sum() / w.sum().clamp_min(1e-12)
    soft = soft * (t * t)
    return alpha * soft + (1.0 - alpha) * hard
