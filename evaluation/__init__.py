"""Offline evaluations of talentq's models against baselines; never imported by workers."""
