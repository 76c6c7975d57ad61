"""Appeals and complaints register: records, classifier, import, API, 59-FZ deadlines."""
