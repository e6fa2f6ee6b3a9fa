"""Head nouns of job titles and markers of organisation names, shared by the entry, school and name extractors."""

from __future__ import annotations

import re

TITLE_RE = re.compile(
    r"\b(?:engineer|developer|manager|analyst|consultant|director|assistant|associate|intern|teacher|professor|"
    r"lecturer|instructor|tutor|coordinator|specialist|officer|administrator|editor|designer|architect|lead|head|"
    r"president|vp|supervisor|representative|clerk|nurse|accountant|technician|scientist|researcher|volunteer|"
    r"owner|founder|co-founder|partner|executive|programmer|tester|trainee|agent|advis[eo]r|counsel+or|secretary|"
    r"receptionist|cashier|driver|operator|attorney|lawyer|paralegal|auditor|controller|strategist|planner|buyer|"
    r"writer|translator|subtitler|photographer|artist|chef|cook|server|worker|fellow|apprentice|therapist|"
    r"physician|pharmacist|librarian|principal|dean|chair(?:man|person)?|ceo|cto|cfo|coo|cio|producer|journalist|"
    r"reporter|marketer|recruiter|generalist|bookkeeper|teller|banker|broker|underwriter|inspector|mechanic|"
    r"electrician|carpenter|welder|machinist|foreman|superintendent|dispatcher|coach|trainer|mentor|facilitator|"
    r"organi[sz]er|advocate|caregiver|aide|provider|expert|leader|contractor|freelancer|freelance|creator|"
    r"educator|member|staff|teaching|sales ?person|waiter|waitress|bartender|estimator|surveyor|dentist|"
    r"hygienist|clinician|practitioner|psychologist|counsel|official|commissioner|governor|ambassador|chief|adjunct|"
    r"investigator|nutritionist|dietitian|scholar|babysitter|nanny|attendant|employee|rep|treasurer|internship|"
    r"proofreader|realtor|copywriter|webmaster|patrolman|guard|barista|housekeeper|janitor|custodian|labou?rer|"
    r"leadman|courier|stylist|paramedic|emt|midwife|technologist|pilot|sergeant|captain|lieutenant)s?\b",
    re.IGNORECASE,
)
COMPANY_RE = re.compile(
    r"\b(?:inc|llc|llp|ltd|limited|corp|corporation|company|co|plc|gmbh|group|bank|university|college|school|"
    r"hospital|clinic|agency|institute|foundation|association|society|church|department|ministry|council|center|"
    r"centre|services|solutions|technologies|technology|systems|consulting|partners|labs?|studios?|industries|"
    r"international|global|enterprises|holdings|media|news|tv|network|store|restaurant|hotel|firm|academy|"
    r"organi[sz]ation|authority|bureau|office|government|county|city of|state of|pvt|press|magazine)\b\.?",
    re.IGNORECASE,
)
# a company's legal form ("Acme, Inc.", "Controls Pvt.Ltd"): ends a name, names no employer alone
LEGAL_FORM = r"inc|llc|l\.l\.c|llp|ltd|limited|corp|corporation|co|company|plc|gmbh|pvt|ag|s\.?a"
# the kinds of school whose names the education rules read, and which name no employer alone
SCHOOL_NAMES = ("university", "college", "institute", "school", "academy", "polytechnic", "faculty", "conservatory")
