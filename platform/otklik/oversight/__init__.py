"""Oversight: the compliance calendar of the regional administrator and the Analytical Centre (issue 13, item 3).

It reads the obligations other capabilities keep (the schedule hook, analyses, publications, the pain map's
measures and additional collections), so it sits above them in the layers, below the shells."""
