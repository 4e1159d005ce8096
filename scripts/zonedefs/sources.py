"""The reports each zone boundary is drawn from (outlet, date, URL as given in the reference)."""

from __future__ import annotations

LIBYA_HERALD = (
    "Libya Herald, 2020-06-21, https://www.libyaherald.com/2020/06/21/"
    "egypt-readies-army-for-intervention-in-libya-declares-sirte-and-jufra-a-red-line/"
)
ACW = (
    "Arab Center Washington DC via me-policy.org, 2020-07-08, "
    "https://me-policy.org/2020/07/08/understanding-egypts-strategy-in-libya"
)
ALJAZEERA = (
    "Al Jazeera control maps of 7 June, 9 June and 27 July 2020, 2020-07-27, "
    "https://www.aljazeera.com/news/2020/07/27/libya-mapping-areas-of-military-control/"
)
REUTERS = "Reuters via National Post, 2020-06-18 (no URL in the reference)"
LIBYA_ANALYSIS = "libya-analysis.com, 2020-06 (no URL in the reference)"
ASHARQ = (
    "Asharq Al-Awsat (English), 'From Haftar to Dbeibah: The Map of Control and "
    "Influence in Libya', 2025, https://english.aawsat.com/node/5151154"
)
NYT = "The New York Times via tgstat/libyaalahrar, 2024-12 (no URL in the reference)"
LIBYA_2019 = (
    "reference zones_of_control.md 'Libya, 2019 - May 2020': dates widely reported, "
    "no outlet given (verify)"
)
GNU_DATE = "GNA succeeded by the GNU on 15 March 2021 (widely reported; not in the reference)"
RAUHAUSER = (
    "rauhauser.net summary of a Dec 2024 control map, 2024-12, "
    "https://rauhauser.net/p/ward-carroll-syrian-history-and-status"
)
AGENCY_REPOST = "agency text reposted at web3.cnouyi.college, 2025 (original outlet not identified)"
SALTSTRAT = "SaltStrat SITREP, 2025-01-18, https://www.saltstrat.com/sitreps/SITREP_2025-01-18_Pub"
ENAB = "Israeli Herald / Enab Baladi via pressbee, 2026-01 (no URL in the reference)"
SYRIA_PRE = (
    "reference zones_of_control.md 'Syria before 8 December 2024': lines frozen after "
    "the 6 March 2020 Idlib ceasefire (widely reported; no outlet given, verify)"
)
WSJ_BASES = (
    "The Wall Street Journal, 2024-12-18, as relayed by Euromaidan Press (2024-12): "
    "Russia negotiating to keep Tartus and Khmeimim"
)
NATURAL_EARTH = (
    "Natural Earth 1:50m admin-0 boundaries v4.1 (world-atlas 2.0.2), public domain, "
    "https://www.naturalearthdata.com/"
)
RAMSTEIN = (
    "The Times (2021-01), as relayed by Army Technology: Pantsir flown from Zuwara "
    "to Ramstein Air Base, Germany"
)
