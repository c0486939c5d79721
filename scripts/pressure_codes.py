"""Writes data/pressure.csv: coded pressure P (0..1) that one state applies to
another, per year 1991-2022, from the dated codings below. A coding holds
until the next one. Every value is a judgment on the scale of the scenarios
(0 none; about 0.3 hostile rhetoric and limited retaliation; 0.6 standing
sanctions and a "strategic competitor" label; 0.8 a campaign to unite others
against the target; 0.95 comprehensive sanctions); the event column cites
what moved it. Run from the repository root: python3 scripts/pressure_codes.py
"""

import csv

CODES = {
    ("USA", "CHN"): [
        (1991, 0.35, "post-Tiananmen sanctions in force (arms embargo, suspended military sales; Foreign Relations Authorization Act FY1990-91, sec. 902) and yearly fights over China's MFN status"),
        (1994, 0.25, "May 1994: Clinton renews MFN and delinks it from human rights"),
        (1996, 0.35, "March 1996: two carrier groups sent during the Taiwan Strait crisis"),
        (1997, 0.25, "Oct 1997: Jiang state visit, 'constructive strategic partnership' agreed"),
        (1999, 0.35, "May 1999: NATO bombs the Chinese embassy in Belgrade; Cox report on nuclear espionage"),
        (2000, 0.25, "Oct 2000: permanent normal trade relations signed into law"),
        (2001, 0.3, "April 2001: EP-3 collision off Hainan; April 2001 arms package for Taiwan"),
        (2002, 0.2, "cooperation after 11 September 2001; China joins the WTO (Dec 2001)"),
        (2005, 0.2, "Sept 2005: 'responsible stakeholder' speech (Zoellick): engagement continues"),
        (2008, 0.25, "Oct 2008: 6.5 bn USD of arms sales to Taiwan notified to Congress (coded as the Jan 2010 sale is)"),
        (2009, 0.2, "Feb 2009: defence policy talks resume; engagement continues (Obama in Beijing, Nov 2009)"),
        (2010, 0.25, "Jan 2010: 6.4 bn USD arms sale to Taiwan; Obama meets the Dalai Lama"),
        (2011, 0.3, "Nov 2011: 'pivot' or rebalance to Asia announced"),
        (2015, 0.35, "2015: US objects to island building in the South China Sea, first freedom-of-navigation patrol (Oct 2015)"),
        (2017, 0.45, "Aug 2017 Section 301 investigation; Dec 2017 National Security Strategy names China a revisionist power"),
        (2018, 0.65, "July 2018: first Section 301 tariffs; Oct 2018 Pence speech"),
        (2019, 0.7, "May 2019: Huawei placed on the Entity List; tariffs raised"),
        (2020, 0.8, "July 2020: Pompeo's Nixon Library speech calls for a coalition against China (the baseline-2020 value)"),
        (2022, 0.85, "Oct 2022: export controls on advanced chips and chip-making tools"),
    ],
    ("USA", "RUS"): [
        (1991, 0.05, "Feb 1992 Camp David declaration: no longer potential adversaries; Freedom Support Act aid (Oct 1992)"),
        (1998, 0.1, "NATO enlargement to Poland, Hungary and the Czech Republic agreed (1997), ratified 1998"),
        (1999, 0.2, "March-June 1999: NATO air campaign against Yugoslavia over Russian objections"),
        (2000, 0.15, "criticism of the second Chechen war"),
        (2001, 0.1, "cooperation after 11 September 2001"),
        (2002, 0.15, "June 2002: US leaves the ABM Treaty (notice given Dec 2001)"),
        (2003, 0.15, "March 2003: Iraq war over Russian opposition; Oct 2003 Khodorkovsky arrest criticised"),
        (2008, 0.3, "Aug 2008: war in Georgia; the US withdraws the civil nuclear (123) agreement from Congress"),
        (2009, 0.15, "March 2009: the 'reset'; New START signed April 2010"),
        (2012, 0.25, "Dec 2012: Magnitsky Act (sanctions on Russian officials)"),
        (2014, 0.5, "March and July 2014: sanctions after the annexation of Crimea, widened to finance, energy and defence sectors"),
        (2016, 0.55, "Dec 2016: expulsions and sanctions for interference in the US election"),
        (2017, 0.6, "Aug 2017: CAATSA; Dec 2017 National Security Strategy names Russia a revisionist power (the baseline-2020 value)"),
        (2022, 0.95, "Feb-March 2022: sanctions on the central bank, removal of banks from SWIFT, export controls, oil import ban"),
    ],
    ("CHN", "USA"): [
        (1991, 0.1, "no sanctions; protests against US human-rights pressure"),
        (1999, 0.2, "May 1999: military contacts suspended and protests at the US embassy after the Belgrade bombing"),
        (2000, 0.1, "contacts restored"),
        (2001, 0.15, "April 2001: EP-3 crew held for eleven days"),
        (2002, 0.1, "cooperation after 11 September 2001"),
        (2008, 0.15, "Oct 2008: military exchanges suspended after the Taiwan arms notification (coded as Jan 2010 is)"),
        (2009, 0.1, "Feb 2009: military contacts resumed"),
        (2010, 0.15, "Jan 2010: sanctions announced on US firms selling arms to Taiwan, military contacts suspended"),
        (2018, 0.3, "2018: retaliatory tariffs on US goods (the baseline-2020 value)"),
        (2022, 0.35, "Aug 2022: after the Pelosi visit to Taiwan, sanctions on Pelosi and eight dialogue channels suspended"),
    ],
    ("RUS", "USA"): [
        (1991, 0.05, "Kozyrev's pro-Western course"),
        (1999, 0.2, "1999: ties with NATO suspended over Kosovo; Pristina airport dash"),
        (2000, 0.1, "ties with NATO resumed"),
        (2007, 0.2, "Feb 2007 Munich speech; Dec 2007 suspension of the CFE Treaty"),
        (2008, 0.3, "Aug 2008: war in Georgia, recognition of Abkhazia and South Ossetia"),
        (2009, 0.15, "the 'reset'"),
        (2012, 0.2, "Dec 2012: Dima Yakovlev law bans US adoptions; USAID expelled (Sept 2012)"),
        (2014, 0.3, "Aug 2014: ban on food imports from the US and EU (the baseline-2020 value)"),
        (2022, 0.4, "March 2022: 'unfriendly countries' list, counter-sanctions and capital controls"),
    ],
    ("USA", "IND"): [
        (1991, 0.05, "no sanctions; disagreement over India's nuclear programme and Kashmir"),
        (1998, 0.4, "May 1998: sanctions under the Glenn Amendment after India's nuclear tests (aid, credits, military sales)"),
        (2001, 0.1, "Sept 2001: most of the 1998 sanctions waived"),
        (2002, 0.05, "strategic partnership; 2005 civil nuclear initiative, 2008 waiver of the Nuclear Suppliers Group"),
    ],
    ("CHN", "IND"): [
        (1991, 0.1, "disputed border (1993 agreement on peace along the Line of Actual Control); Chinese support for Pakistan"),
        (2017, 0.25, "June-August 2017: Doklam standoff"),
        (2020, 0.35, "June 2020: Galwan valley clash and standoff along the Line of Actual Control in Ladakh"),
    ],
    ("IND", "CHN"): [
        (1991, 0.05, "no sanctions"),
        (2017, 0.1, "June-August 2017: Doklam standoff"),
        (2020, 0.35, "2020: curbs on Chinese investment (Press Note 3, April) and, after Galwan, bans on Chinese apps and exclusion from 5G trials"),
    ],
}

with open("data/pressure.csv", "w", newline="") as f:
    f.write("# Coded pressure P that `from` applies to `to`, 0..1, per year: judgment, written\n")
    f.write("# by scripts/pressure_codes.py from dated events (see that script and data/README.md).\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["from", "to", "year", "P", "kind", "event"])
    for (a, b), codes in CODES.items():
        for year in range(1991, 2023):
            since, value, event = [c for c in codes if c[0] <= year][-1]
            note = event if since == year else f"unchanged since {since}"
            w.writerow([a, b, year, value, "judgment", note])
