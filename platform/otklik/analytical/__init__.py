"""The analytical report of recommendations 5.1.6 p. 4: per authority and month, a frozen snapshot of the figures
(read through `results`, passed through the disclosure control) rendered as HTML and a tagged PDF."""
