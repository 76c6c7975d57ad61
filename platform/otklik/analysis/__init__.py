"""Analyses: periods, metrics, prevalence, escalation, sample size, open answers."""
