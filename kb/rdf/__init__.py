"""RDF: the project's namespaces, the mapping of the corpus to a dataset, SHACL validation, the store."""
