"""Fixed vocabulary of the model: stakeholder groups, UN regions, policy domains, WSIS Action Lines.

These names are the public vocabulary: the same strings appear in scenario files, CLI
flags, data columns and the docs.
"""

from __future__ import annotations

import numpy as np

GROUPS: tuple[str, ...] = (
    "government",
    "civil_society",
    "business",
    "technical_community",
    "un_agency",
)
GOVERNMENT = GROUPS.index("government")
UN_AGENCY = GROUPS.index("un_agency")

#: The five UN regional groups; UN agencies belong to none of them and sit in ``global``.
REGIONS: tuple[str, ...] = (
    "africa",
    "asia_pacific",
    "eastern_europe",
    "latin_america_caribbean",
    "western_europe_others",
)
GLOBAL = "global"
REGION_CODES: tuple[str, ...] = (*REGIONS, GLOBAL)
GLOBAL_CODE = len(REGIONS)
#: How people write the regions (tables, legends, validation output).
REGION_NAMES: dict[str, str] = {
    "africa": "Africa",
    "asia_pacific": "Asia-Pacific",
    "eastern_europe": "Eastern Europe",
    "latin_america_caribbean": "Latin America & Caribbean",
    "western_europe_others": "Western Europe & Others",
    GLOBAL: "global",
}
#: How people write the stakeholder groups (validation output, dashboard legends, controls): the WSIS
#: (Tunis Agenda) wording; the keys stay the short names of scenario files and data columns.
GROUP_NAMES: dict[str, str] = {
    "government": "government",
    "civil_society": "civil society",
    "business": "private sector",
    "technical_community": "technical and academic community",
    "un_agency": "intergovernmental organisations / UN agencies",
}

#: UN member states per regional group (patterns.md: Asia-Pacific 53 + Kiribati, WEOG 28 + USA).
UN_MEMBERSHIP: dict[str, int] = {
    "africa": 54,
    "asia_pacific": 54,
    "eastern_europe": 23,
    "latin_america_caribbean": 33,
    "western_europe_others": 29,
}

#: The cleavages of internet governance on which every actor holds a position in [0, 1] (docs/ODD.md §7.1,
#: docs/positions.md for the evidence): 1 is the first pole named here, 0 the second.
DIMENSIONS: tuple[str, ...] = (
    "state_authority",  # state authority, intergovernmental mechanisms (1) vs multistakeholder / private ordering (0)
    "security_control",  # security and control (1) vs openness and free flow (0)
    "development",  # development and access as the priority (1) vs other priorities (0)
    "commercial",  # commercial interest (1) vs rights and the public interest (0)
)
#: How people write the dimensions (docs, dashboard, explain).
DIMENSION_NAMES: dict[str, str] = {
    "state_authority": "state authority vs multistakeholder ordering",
    "security_control": "security and control vs openness",
    "development": "development and access first",
    "commercial": "commercial interest vs rights and public interest",
}

DOMAINS: tuple[str, ...] = (
    "infrastructure",
    "security",
    "human_rights",
    "economy",
    "development",
    "culture",
    "governance",
)

#: WSIS Action Lines: (title, policy domain, facilitating UN agencies).
ACTION_LINES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "C1": ("Role of governments and all stakeholders in promoting ICTs", "governance", ("UNDESA", "ITU")),
    "C2": ("Information and communication infrastructure", "infrastructure", ("ITU",)),
    "C3": ("Access to information and knowledge", "human_rights", ("UNESCO",)),
    "C4": ("Capacity building", "development", ("UNDP", "UNESCO", "ITU", "UNCTAD")),
    "C5": ("Building confidence and security in the use of ICTs", "security", ("ITU",)),
    "C6": ("Enabling environment", "economy", ("ITU", "UNDP", "UNCTAD", "UNDESA")),
    "C7": (
        "ICT applications (e-government, e-business, e-health, ...)",
        "development",
        ("UNDESA", "UNCTAD", "WHO", "ILO", "FAO", "UNEP", "WMO", "UPU"),
    ),
    "C8": ("Cultural and linguistic diversity, local content", "culture", ("UNESCO",)),
    "C9": ("Media", "human_rights", ("UNESCO",)),
    "C10": ("Ethical dimensions of the Information Society", "culture", ("UNESCO",)),
    "C11": ("International and regional cooperation", "governance", ("UNDESA",)),
}

#: The UN agencies that facilitate Action Lines, in the order UN-agency actors are named.
UN_AGENCIES: tuple[str, ...] = (
    "ITU",
    "UNESCO",
    "UNDP",
    "UNCTAD",
    "UNDESA",
    "WHO",
    "ILO",
    "FAO",
    "UNEP",
    "WMO",
    "UPU",
)

#: Where an issue can be: the CSTD committee reviews it; the others are the rows of the venue table
#: (``ModelConfig.venues``). A venue's position here keys its random streams (``streams.py``).
VENUES: tuple[str, ...] = (
    "intergovernmental",
    "action_line_coalition",
    "cstd_committee",
    "cstd_working_group",
    "external_process",
    "igf",
)

#: Travel distance between regions (0 = same region, 1 = farthest); ``global`` actors
#: (UN agencies) travel from their headquarters at a middling cost everywhere.
REGION_DISTANCE = np.array(
    [
        # AF   AP   EE   LAC  WEOG
        [0.0, 0.8, 0.7, 0.9, 0.6],
        [0.8, 0.0, 0.7, 1.0, 0.8],
        [0.7, 0.7, 0.0, 0.9, 0.3],
        [0.9, 1.0, 0.9, 0.0, 0.7],
        [0.6, 0.8, 0.3, 0.7, 0.0],
        [0.5, 0.5, 0.5, 0.5, 0.5],  # global, travelling to each host region
    ]
)
