"""Surveys: questionnaires, public anonymous form, QR codes, offline entry, answer import."""
