"""Anticipation (issue 17): risk mapping, industrial vulnerability, signals from abroad, the seasonal
watch list and its forecaster, impacts on care, the national priority list. Built in slices; the
first is the forecaster (forecast.py)."""
