"""Free text → intent + confidence (+ entities). Training data in Rasa's NLU YAML, one file per
language (`nlu/data/<lang>/nlu.yml`); a built-in engine by default, a Rasa server in production.
Both answer in the shape of Rasa's `POST /model/parse`."""
