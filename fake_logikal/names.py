"""Word lists the dataset draws realistic Logikal names from (Dutch fabricator vocabulary, real systems)."""

from __future__ import annotations

__all__ = [
    "COLORS",
    "DIRECTORY_WORDS",
    "MODELS",
    "PERSONS",
    "PHASE_NAMES",
    "SUPPLIERS",
    "SYSTEMS",
    "ZERO_GUID",
]

ZERO_GUID = "00000000-0000-0000-0000-000000000000"

DIRECTORY_WORDS = [
    "Projecten 2024",
    "Projecten 2025",
    "Nieuwbouw",
    "Renovatie",
    "Utiliteit",
    "Woningbouw",
    "Scholen",
    "Zorg",
    "Kantoren",
    "Gevelbouw",
    "Offertes",
    "Service",
    "Archief",
    "Klanten A-F",
    "Klanten G-M",
    "Klanten N-Z",
    "Regio Noord",
    "Regio Zuid",
    "Showroom",
    "Prototypes",
]

PERSONS = ["Nick ", "Sanne", "Joost", "Eva", "Bram", "Lotte", "Pieter", "Fleur", "Daan", "Iris"]

# (system code, short name, long name, supplier)
SYSTEMS = [
    ("MASTERLINE8", "MasterLine 8", "Reynaers MasterLine 8", "Reynaers"),
    ("CP130LS", "ConceptPatio 130-LS", "Reynaers ConceptPatio 130-LS", "Reynaers"),
    ("SLIMLINE38", "SlimLine 38", "Reynaers SlimLine 38", "Reynaers"),
    ("CS77", "CS 77", "Reynaers CS 77 Functional", "Reynaers"),
    ("AWS75SI", "AWS 75.SI+", "Schüco AWS 75.SI+", "Schüco"),
    ("ADS90", "ADS 90.SI", "Schüco ADS 90.SI", "Schüco"),
    ("MB86", "MB-86", "Aluprof MB-86 SI", "Aluprof"),
]

MODELS = [
    "Raam 1-vaks draai-kiep",
    "Raam 2-vaks draai-kiep",
    "Vast raam",
    "Deur enkel naar buiten",
    "Deur dubbel naar binnen",
    "Hefschuifpui",
    "Vliesgevel segment",
    "Bovenlicht met ventilatierooster",
]

COLORS = [
    ("RAL 9016", "Verkeerswit"),
    ("RAL 7016", "Antracietgrijs"),
    ("RAL 9005", "Gitzwart"),
    ("RAL 9010", "Zuiver wit"),
    ("RAL 7021", "Zwartgrijs"),
    ("RAL 1013", "Parelwit"),
    ("EV1", "Natuurlijk geanodiseerd"),
]

PHASE_NAMES = [
    "Fase 1",
    "Fase 2",
    "Fase 3 (levering)",
    "Begane grond",
    "1e verdieping",
    "2e verdieping",
    "Meerwerk",
    "Blok A",
    "Blok B",
]

SUPPLIERS = [
    ("Reynaers Aluminium", "BE"),
    ("Schüco International", "DE"),
    ("Aluprof", "PL"),
    ("AGC Glass", "BE"),
    ("Saint-Gobain Glass", "FR"),
    ("Roto Frank", "DE"),
]
