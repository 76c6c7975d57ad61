"""The pain map (карта болей): problems, prevalence, measures, owners, deadlines."""
