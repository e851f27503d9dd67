"""Homeward's custom Rasa components. `segmentation` and `gazetteer` import nothing from Rasa."""
