"""Unit conversions for the recipe scaler."""

GRAMS_PER_OUNCE = 28.349523125


def ounces_to_grams(oz):
    return oz * GRAMS_PER_OUNCE


def grams_to_ounces(g):
    return g / GRAMS_PER_OUNCE


def tbsp_to_ml(tbsp):
    return tbsp * 14.78676478125