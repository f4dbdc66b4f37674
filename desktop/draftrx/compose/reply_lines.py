"""Safety lines a reply carries, written by code, for what the comment or message it
answers is about. First: a crisis (the writer's or someone they love, or many pills taken
after a loss), something swallowed or breathed in (Poison Control), an emergency (named
where its signs are plain), a baby moving less before birth. After the task's message: a
medicine about to be stopped, doubled, swapped or borrowed, a dose asked for, medicines in
pregnancy, a low blood sugar, opioid misuse, a wound worse after surgery, a vaccine
doubted, cow's milk for a baby, low mood, a prescription asked for, a photo sent to be
judged.

The reply task's own message only declines personal advice. Every physician answering such
a comment says the same few things, and the small model, told them, says them as given:
told only to decline, it declined and said nothing of the danger in the question. The
lines are general advice, never about the writer's own care, so they confirm no one is a
patient. Numbers are left out but for 911 and 988: a ten-digit helpline reads as a phone
number to the privacy rescan, which would swap it for a stand-in.
"""

from __future__ import annotations

import regex

from draftrx.compose import drugs

_CRISIS = regex.compile(
    r"(?i)\b(?:suicid|kill (?:my|him|her|them)sel(?:f|ves)|end (?:it all|my life)|want(?:ed|s)? to "
    r"die|(?:don'?t|do not) want to (?:be here|live|wake up)|no (?:reason|point) (?:to|in) "
    r"(?:live|living|go(?:ing)? on)|better off without me|hopeless|self[- ]harm|hurt(?:ing)? "
    r"my ?self|overdos|(?:cutting|hurting|harming|burning) (?:her|him|them)sel(?:f|ves)|"
    r"cuts (?:on|along|all over) (?:her|his|their|my) (?:upper )?(?:arms?|wrists?|legs?|thighs?))"
)
# Many pills taken at once (five or more): "took like 8 of my mom's sleeping pills".
_MANY = regex.compile(
    r"(?i)\b(?:took|taken|swallowed|had) (?:like |about |maybe |around |almost )?"
    r"(?:[5-9]|\d{2,3}|a bunch|a handful|a lot|all|several|too many|the (?:whole|rest of "
    r"the) (?:bottle|pack|box))\b"
)
# Something swallowed that should not have been: said outright ("swallowed a", "got into
# the"), or told by what was found (pills missing, a pill box open on the floor).
_SWALLOWED = regex.compile(
    r"(?i)\b(?:swallowed|ingested|got into|breathed in|inhaled|fumes|mixed (?:the )?\w+ "
    r"(?:with|and)|(?:ate|eaten|drank|chewed(?: on)?|licked) (?:some|a|an|"
    r"one|two|three|a few|several|half|part|the|my|his|her|their|\w+'s)\b)"
)
_MISSING = regex.compile(
    r"(?i)\b(?:(?:\d|two|three|four|some|a few|several) (?:of (?:the|them|her|his|my) )?"
    r"(?:pills? |tablets? |gummies )?(?:are|were|is|was) missing|(?:pill|medicine|med) "
    r"(?:organi[sz]er|box|bottle|case)\b.{0,30}\b(?:open|empty|spilled|on the floor))"
)
_CHEMICAL = regex.compile(
    r"(?i)\b(?:bleach|cleaners?|detergent|(?:laundry|dishwasher|detergent) pods?|antifreeze|"
    r"lamp oil|batter(?:y|ies)|magnets?|vitamins?|gummies|iron|essential oils?|nicotine|"
    r"vape (?:juice|liquid)|e-?liquid|rat poison|pesticide|weed ?killer|edibles?|chemicals?|"
    r"ammonia|clorox|lye|drain cleaner|gas|fumes|(?:diffuser|essential|eucalyptus|tea tree|"
    r"lamp|baby) oils?)\b"
)
_STROKE = regex.compile(
    r"(?i)\b(?:(?:arm|leg|face|side) (?:went|is|goes|going|has gone) (?:weak|numb|limp|dead)|"
    r"can'?t (?:lift|move|feel) (?:my|his|her|their) (?:arm|leg|face)|"
    r"(?:face|mouth|smile) (?:is )?droop|slurr|numb(?:ness)? (?:on|in) (?:one|the left|the right)|"
    r"one side)"
)
_HEART = regex.compile(
    r"(?i)\b(?:chest (?:pain|pressure|tightness|hurts?)|(?:pain|pressure|tightness|heaviness|"
    r"squeez\w*|squeeze|ache) in (?:the (?:middle|cent(?:er|re)) of )?(?:my|his|her|their|the) "
    r"chest|(?:spread|go|goe|move|radiat|shoot)(?:s|ing|e|es)? (?:to|into|down|up) (?:my|his|her|"
    r"their|the) (?:left )?(?:arm|jaw|neck))"
)
_EYE = regex.compile(
    r"(?i)\b(?:curtain|shadow (?:over|across|coming)|(?:flashes|new floaters)\b.{0,40}\b"
    r"(?:flashes|floaters)|sudden(?:ly)? (?:lost|loss of|can'?t see)|(?:lost|losing) (?:the )?"
    r"(?:sight|vision) in)"
)
_ALLERGY = regex.compile(
    r"(?i)\b(?:lips? (?:are |is |turning )?swell|throat (?:is )?(?:closing|swell)|anaphyla)"
)
_EMERGENCY = regex.compile(
    r"(?i)\b(?:can'?t (?:breathe|catch (?:my|his|her|their) breath)|(?:struggling|trouble|hard) "
    r"(?:to )?breath|short(?:ness)? of breath|worst headache|pass(?:ed|ing) out|faint(?:ed|ing)|"
    r"unconscious|unresponsive|seizure|coughing (?:up )?blood|vomiting blood|bleeding "
    r"(?:heavily|a lot|won'?t stop)|lips? (?:look |looks |are |is |turning )?(?:\w+ )?"
    r"(?:blue|bluish|gr[ae]y|gr[ae]yish)|(?:blue|gr[ae]y) lips|"
    r"stiff neck and fever|(?:hard|difficult|harder) to (?:wake|rouse)|(?:won'?t|can'?t|couldn'?t|"
    r"not) (?:fully )?wak(?:e|ing) (?:up|him|her|them)|(?:he|she|they)(?:'s| is| was| seems| "
    r"seemed| got| are|'re| were| keeps? getting) (?:\w+ )?(?:confused|disoriented)|"
    r"acting (?:confused|strange|drunk))"
)
# A head injury, told with the signs that make it an emergency: "hit her head ... thrown up".
_HEAD = regex.compile(
    r"(?i)\b(?:(?:hit|bumped|banged|smacked|struck|cracked) (?:the (?:back|side|front) of )?"
    r"(?:his|her|their|my|the) head|head (?:injury|bump|hit)|fell (?:off|from|down)\b.{0,60}"
    r"\bhead)"
)
_HEAD_SIGNS = regex.compile(
    r"(?i)\b(?:throw(?:n|ing)? up|threw up|vomit\w*|puk\w*|(?:hard|difficult) to wake|sleepy|"
    r"drowsy|confused|won'?t stop crying|seizure|unequal pupils|passed out|knocked out)"
)
# Breathing trouble told by its signs: the skin between the ribs pulling in, flaring
# nostrils, grunting; fast breathing in a baby or child.
_WORK_OF_BREATHING = regex.compile(
    r"(?i)\b(?:ribs? (?:are |is )?(?:\w+ )?(?:sucking|pulling|sinking|caving) in|(?:chest|skin|"
    r"belly|tummy|neck) (?:is )?(?:\w+ )?(?:sucking|pulling|caving|sinking) in|sucking in "
    r"(?:under|between|around) (?:the |her |his |their )?ribs|nostrils? (?:are |is )?flar\w*|"
    r"grunt\w* (?:with|when|on) (?:each|every) breath)"
)
_FAST_BREATHING = regex.compile(
    r"(?i)\b(?:breath\w* (?:super |really |very |so |way too |too )?(?:fast|quick\w*)|"
    r"fast breathing|panting)\b"
)
# Sudden testicle pain: torsion, hours to save the testicle.
_TESTICLE = regex.compile(r"(?i)\b(?:testic\w*|scrotum|scrotal)\b")
# Heat illness turning to heatstroke: hot, dry skin, or confusion or vomiting in the heat.
_HEAT = regex.compile(
    r"(?i)\b(?:heat ?stroke|heat exhaustion|hot and dry|stopped sweating|(?:practice|practise|"
    r"training|running|working|work|game|run|hike|hiking|field|outside) in (?:the )?(?:heat|sun)|"
    r"(?:heat|sun) (?:all day|for hours)|\d+ ?degrees|two-?a-?days?|2-?a-?days?)"
)
_HEAT_SIGNS = regex.compile(
    r"(?i)\b(?:confus\w*|disoriented|throw(?:n|ing)? up|threw up|vomit\w*|hot and dry|"
    r"stopped sweating|pass(?:ed|ing) out|faint\w*|collaps\w*)"
)
# A baby in the womb moving less: "barely moved since this morning", "fewer kicks".
_FEWER_KICKS = regex.compile(
    r"(?i)\b(?:(?:barely|hardly|not|hasn'?t|stopped|isn'?t) (?:been )?(?:mov|kick)\w*|(?:less|"
    r"fewer|reduced|decreased|no) (?:fetal )?(?:movements?|moving|kicks?))\b"
)
# What turns many pills taken into a crisis: a loss, a fight, wanting no one to know.
_UPSET = regex.compile(
    r"(?i)\b(?:broke up|break-?up|dumped|fight|argument|divorce|died|funeral|lost my|don'?t want "
    r"(?:her|him|them|anyone) to know|don'?t tell|nobody cares|can'?t take it|on purpose)"
)
# An emergency told as long past is not happening now: "3 weeks later she had seizures".
_LONG_AGO = regex.compile(
    r"(?i)\b(?:(?:\d+|a few|several|two|three|four|some) (?:weeks?|months?|years?) (?:later|ago|"
    r"after)|last (?:year|month)|years ago|back in (?:\d{4}|high school|college))\b"
)
_MEDICINE = (
    r"(?:pills?|meds?|medicines?|medications?|tablets?|doses?|prescriptions?|inhalers?|insulin|"
    r"antibiotics?|blood thinners?|shots?|patch(?:es)?)"
)
# A medicine about to be changed without its prescriber: stopped, skipped, doubled, swapped.
_CHANGE = regex.compile(
    r"(?i)\b(?:(?:stop|quit|skip|doubl|halv|swap|switch|replac|wean)\w*|come off|go off|"
    r"cut (?:it |them |the \w+ )?(?:in half|back)|take (?:two|2|an extra|extra|more)|"
    r"extra (?:dose|pill|tablet)|instead)\b"
)
_NAMED_MEDICINE = regex.compile(rf"(?i)\b{_MEDICINE}\b")
# A change asked outright is one even where the sentence names no medicine: "Can I just
# stop?", "Should I double it?", "take 2 this morning to catch up".
_DOUBLE = regex.compile(
    r"(?i)\b(?:(?:can|should|could) (?:i|we|he|she) (?:just )?(?:stop|quit|skip|come off|cut "
    r"back)\b(?! (?:by|at|in|for|to)\b)|doubl\w* (?:it|them|up|the dose|my dose|his dose|"
    r"her dose)|take (?:two|2|both) "
    r"(?:this|tonight|now|at once|together|to catch up)|catch up on (?:a |the |my )?(?:missed )?"
    r"(?:dose|pill))\b"
)
# Medicine that was not prescribed for this illness or this person: "my leftover
# amoxicillin", "someone else's inhaler", "borrow my sister's pills", "give him my".
_BORROWED = regex.compile(
    r"(?i)\b(?:left ?over|expired|(?:some|any)one else'?s|another person'?s|borrow\w*|"
    r"(?:give|gave|giving) (?:him|her|them) (?:some of )?(?:my|mine))\b"
)
# People whose medicine is not the writer's. A son or daughter counts only with a
# possessive: "my son has amoxicillin, can I give it now?" is his own prescription.
_KIN = (
    r"(?:roommate|friend|mom|mother|dad|father|sister|brother|husband|wife|partner|grand\w+|"
    r"neighbou?r|co-?worker|cousin|aunt|uncle|boyfriend|girlfriend)"
)
# Someone's own medicine: "my roommate's Xanax", "my mother's oxycodone".
_THEIRS = regex.compile(rf"(?i)\b(?:{_KIN}|son|daughter)'s (?P<what>(?:\w+ ){{0,2}}\w+)")
# Someone's medicine told as theirs, then asked for: "My husband Rick has gabapentin from
# his neuropathy ... Can I just take 2 at night?"
_THEY_HAVE = regex.compile(
    rf"(?i)\b{_KIN}(?: \p{{Lu}}\p{{L}}+)? (?:still )?(?:has|had|got|keeps) "
    r"(?P<what>(?:\w+ ){0,3}\w+)"
)
_ASKS_TO_TAKE = regex.compile(
    r"(?i)\b(?:can|could|should|is it (?:ok|okay|safe) (?:if|to)) (?:i|we|he|she)? ?(?:just )?"
    r"(?:take|use|try|give)\b"
)
# Taken from someone without a medicine word: "gave me one of her", "a couple of Jess's".
_TAKEN = regex.compile(
    r"\b(?:(?i:gave|give|giving|offered) (?i:me|him|her|them) (?i:one|some|a couple|a few|two) "
    r"(?i:of) (?i:her|his|their)|(?i:a couple|one|some|a few|two|more) (?i:of) \p{Lu}\p{L}+'s)\b"
)
# A dose asked for: "how much should I give him?", "how many mL", "what dose".
_DOSE = regex.compile(
    r"(?i)\b(?:how (?:much|many (?:mg|ml|mls|milligrams?|pills?|tablets?|capsules?|puffs?|units?))|"
    r"what (?:dose|dosage|strength)|how often can (?:i|we|he|she) (?:give|take)|"
    r"(?:right|correct) (?:dose|dosage)|should (?:i|we|he|she) (?:take|give|start|use) \d+ ?"
    r"(?:mg|ml|mcg|units?|tablets?|pills?))\b"
)
# A child given what is made for adults: an adult tablet, or alcohol rubbed on the gums.
_CHILD = regex.compile(
    r"(?i)\b(?:bab(?:y|ies)|infants?|newborns?|toddlers?|(?:[1-9]|1[0-7]) ?(?:months?|mos?|yo|y/o|"
    r"years? old|year-old|month-old))\b"
)
_FOR_ADULTS = regex.compile(
    r"(?i)\b(?:adult (?:\w+ )?(?:advil|tylenol|motrin|aleve|aspirin|ibuprofen|acetaminophen|"
    r"dose|tablets?|pills?|strength|version|one|medicine|meds?)|(?:rub|dab|put|give|giving)\w* "
    r"(?:\w+ ){0,3}(?:whiske?y|brandy|bourbon|rum|vodka|liquor|alcohol))\b"
)
# A visit far off: "can't get in to my doctor until next month", "closed till Monday".
_NO_VISIT = regex.compile(
    r"(?i)\b(?:can'?t get (?:in|an appointment|seen|a visit)|(?:no|next) (?:appointments?|"
    r"available|opening)|(?:closed|booked|booked up|out) (?:till|until|til)|(?:not|can'?t|"
    r"couldn'?t) (?:be )?seen (?:till|until|til)|wait(?:ing)? ?list)\b"
)
_GIVE = regex.compile(r"(?i)\b(?:give|take|dose|dosage|mg|ml)\b")
_PHOTO = regex.compile(
    r"(?i)\b(?:photos?|pics?|pictures?|selfies?|attached|screenshot|sending you (?:a|this))\b"
)
_PREGNANT = regex.compile(
    r"(?i)\b(?:pregnan\w*|\d{1,2} weeks? (?:pregnant|along|with)|trimester|midwife|(?:my|her) "
    r"OB|OB ?-?GYN|expecting "
    r"(?:a baby|my first)|breast ?feed\w*|nursing (?:my|a|the) (?:baby|son|daughter))\b"
)
_LOW_SUGAR = regex.compile(
    r"(?i)\b(?:low (?:blood )?(?:sugars?|glucose)|lows|hypos?|hypoglyc\w*|shaky and sweaty|"
    r"sweaty and shaky|(?:sugar|glucose|reading|bg)s?\w* (?:of |was |is |at |in the )?[2-6]\d)\b"
)
_DIABETES = regex.compile(
    r"(?i)\b(?:diabet\w*|insulin|type (?:1|2|one|two)|sugar (?:pills?|meds?|medicine))\b"
)
_OPIOID = regex.compile(
    r"(?i)\b(?:opioids?|opiates?|oxy\w*|percocet|hydrocodone|vicodin|norco|fentanyl|heroin|"
    r"morphine|tramadol|codeine|dilaudid|pain ?killers?|pain (?:pills|meds))\b"
)
# Misuse told by what a family sees: pills going missing, nodding off, early refills.
_MISUSE = regex.compile(
    r"(?i)\b(?:addict\w*|misus\w*|abus\w*|hooked|nodding off|coming up short|go(?:es|ing)? "
    r"missing|(?:keeps?|kept) taking|(?:keeps?|kept) "
    r"(?:going|coming up) (?:missing|short)|missing pills|stealing|steals?|(?:asked|asks|asking) "
    r"(?:me )?(?:twice |again )?(?:to call |for )(?:more |early )?refills?)\b"
)
_COWS_MILK = regex.compile(
    r"(?i)\b(?:cow'?s milk|whole milk|evaporated milk|homemade formula|goat'?s milk|almond milk|"
    r"oat milk|water(?:ed)? down (?:the |her |his )?formula|stretch (?:the |her |his )?formula)\b"
)
_INFANT = regex.compile(r"(?i)\b(?:[1-9]|1[01]) ?(?:months?|mo)\b|\bnewborn|\binfant")
_LOW_MOOD = regex.compile(
    r"(?i)\b(?:depress\w*|low mood|(?:feel|feeling|felt) (?:down|empty|numb|worthless)|no "
    r"(?:energy|motivation)|lost interest|stopped (?:going|caring|enjoying)|anxious all|panic "
    r"attacks?)\b"
)
_SURGERY = regex.compile(
    r"(?i)\b(?:surgery|operation|procedure|c-?section|stitches|incision)\b"
)
_WORSE = regex.compile(
    r"(?i)\b(?:worse|worsening|getting (?:more )?(?:red|swollen|painful)|(?:really|very|more) "
    r"(?:red|painful|swollen)|throbbing|pus|oozing|fever|blurr\w*|spreading|red streaks?|"
    r"opened up|(?:can'?t|cannot) see)\b"
)
_VACCINE = regex.compile(
    r"(?i)\b(?:vaccin\w*|jabs?|(?:flu|covid|hpv|mmr|booster|baby|\d+[- ]month) shots?|"
    r"gardasil|mmr|immuni[sz]\w*)\b"
)
# A vaccine doubted or blamed: "this poison", "gave her seizures", "the flu shot gave me
# the flu", "pharma shill".
_DOUBT = regex.compile(
    r"(?i)\b(?:poison\w*|toxi\w*|injur\w*|damag\w*|shill|big pharma|autis\w*|dangerous|"
    r"unsafe|not safe|killed|paraly\w*|wheelchair|seizures?|never (?:get|getting|give|giving)|"
    r"(?:gave|give|gives) (?:me|him|her|them|you) (?:the )?(?:flu|covid|autism)|side effects?|"
    r"reactions?|fever after|too (?:much|many)|skip (?:the rest|them|the next)|delay\w*|"
    r"(?:space|spread)\w* (?:them |it )?out)\b"
)
_PRESCRIBE = regex.compile(
    r"(?i)\b(?:(?:send|call|phone|write|give|e-?mail)\w* (?:me |in )?(?:a |an |the )?"
    r"(?:script|prescription|rx|refill)|prescribe (?:me|it|them|him|her)|(?:script|prescription) "
    r"for (?:like |just )?(?:a few|some|\d+|a couple))\b"
)

# A review that only praises is thanked, not apologised to.
_PRAISE = regex.compile(
    r"(?i)\b(?:(?:5|five) stars?|thank(?:s| you)|grateful|amazing|wonderful|excellent|"
    r"fantastic|best (?:doctor|clinic|care|team|nurses?|staff|experience)|highly recommend|"
    r"recommend (?:her|him|them|this|dr)|saved (?:my|his|her|our)|so kind|above and beyond|"
    r"caring|compassionate)\b"
)
_COMPLAINT = regex.compile(
    r"(?i)\b(?:worst|rude|terrible|awful|horrible|ridiculous|unprofessional|refus\w*|never "
    r"(?:again|called|got)|waited|waiting|(?:1|one|zero|0|two|2) stars?|disappoint\w*|"
    r"incompetent|useless|dismiss\w*|ignored|charged|overcharg\w*|bill(?:ed|ing)?|scam|avoid|"
    r"negligen\w*|misdiagnos\w*|missed|no one|nobody|(?:didn'?t|did not|wouldn'?t|won'?t) "
    r"(?:listen|care|call|help)|angry|furious|upset|shame\w*)\b"
)
# Health details withheld from family: "refused to tell me anything even though I'm her
# daughter". Privacy law is the reason, and the patient's written permission the way.
_FAMILY = regex.compile(
    r"(?i)\b(?:(?:my|our) (?:mom|mother|dad|father|wife|husband|son|daughter|sister|brother|"
    r"partner|grand\w+|aunt|uncle|parents?|family)|(?:i'?m|i am) (?:her|his|their) (?:daughter|"
    r"son|wife|husband|mother|father|mom|dad|sister|brother|partner))\b"
)
_WITHHELD = regex.compile(
    r"(?i)\b(?:(?:refus\w*|wouldn'?t|won'?t|would not|will not|couldn'?t|could not|can'?t|"
    r"cannot|not allowed)\b[^.!?]{0,40}\b(?:(?:tell|talk to|talk with|speak to|speak with) "
    r"(?:me|us)|(?:share|give|release|discuss|send)\w* (?:me |us )?(?:her |his |their |the |any "
    r"|my \w+'s )?(?:results?|records?|information|info|details|updates?|anything|reports?|"
    r"chart))|hipaa)\b"
)

CRISIS = (
    "If you or someone you care about is thinking about suicide, self-harm or is in crisis, "
    "please call or text 988 (the US crisis line) or your local emergency number now; you "
    "are not alone."
)
POISON = (
    "If someone may have swallowed a medicine or a chemical, or breathed in fumes, call Poison "
    "Control now, even if they seem fine (get to fresh air first for fumes), or 911 if they "
    "are hard to wake or struggling to breathe; don't make them vomit."
)
KICKS = (
    "In pregnancy, a baby moving less than usual should be checked the same day: call your "
    "labor and delivery unit or go to the hospital now, rather than waiting to see."
)
EMERGENCY = (
    "If this is happening now, call 911 (or your local emergency number) or go to "
    "the nearest emergency department right away; don't wait to see if it passes."
)
NAMED = {
    "stroke": "A drooping face, a weak arm or leg, or slurred speech can be signs of a stroke.",
    "heart": "Chest pain, pressure or tightness, at rest or during exercise, can be a sign of "
    "a heart attack; don't push through it.",
    "allergy": "Swelling of the lips or throat can be a severe allergic reaction.",
    "head": "Vomiting, being hard to wake or confused after a blow to the head needs "
    "emergency care; don't let them sleep it off at home.",
    "testicle": "Sudden, severe pain in a testicle can be torsion, which needs surgery "
    "within hours to save the testicle.",
    "heat": "Confusion, vomiting or hot, dry skin after exercise in the heat can be "
    "heatstroke: start cooling them at once with cold water, ice packs and shade.",
    "breathing": "Fast breathing, the skin between the ribs pulling in with each breath, or "
    "grey or blue lips are signs of breathing trouble that needs emergency care.",
    "eye": "Sudden flashes, a shower of new floaters, a curtain over your vision or sudden "
    "loss of sight can be a detached retina or another eye emergency.",
}
CHANGE = (
    "Please don't stop, skip, double or swap a prescribed medicine without talking to the "
    "doctor who prescribed it or a pharmacist first: stopping some suddenly is risky, causing "
    "withdrawal or bringing the illness back, and they can plan a safe, gradual change or "
    "review all the medicines together."
)
BORROWED = (
    "Please don't use leftover medicine or someone else's prescription: it may be the wrong "
    "medicine or the wrong dose."
)
DOSE = (
    "A safe dose depends on the person's weight, age and the exact product, so please ask a "
    "pharmacist or your doctor's office for it."
)
FOR_ADULTS = (
    "Never give a baby or child a medicine made for adults, crushed or cut down, or alcohol, "
    "even rubbed on the gums; a pharmacist or the child's doctor can suggest a children's "
    "product and the right dose for their weight."
)
PREGNANCY = (
    "In pregnancy and while breastfeeding, some common medicines, including some pain "
    "relievers, are not recommended, so please check with your OB, midwife or a pharmacist "
    "before taking anything."
)
LOW_SUGAR = (
    "A low blood sugar needs fast sugar (juice or glucose tablets) right away, and lows on "
    "diabetes medicine are a reason to call your diabetes care team today."
)
OPIOIDS = (
    "If you're worried someone is misusing opioids, lock up all pain medicine, keep naloxone "
    "(Narcan) at home, and call 911 if they are hard to wake or breathing slowly; the SAMHSA "
    "National Helpline is free and confidential."
)
SURGERY = (
    "New or worsening pain, redness, swelling, fever or blurred vision after surgery should be "
    "checked today: call the surgeon's office or its after-hours line now, or go to the ER if "
    "you can't reach them."
)
VACCINES = (
    "Vaccines are studied in large trials and watched for safety after approval; a sore arm or "
    "a low fever for a day or two is common, and serious reactions are rare. Please talk any "
    "worry over with your own or your child's doctor."
)
# What each vaccine a comment names prevents, said after the safety line.
PREVENTS = (
    (r"hpv|gardasil", "The HPV vaccine prevents several cancers."),
    (r"mmr|measles", "The MMR vaccine prevents measles, mumps and rubella."),
    (r"flu", "A flu shot can't give you the flu; it takes about two weeks to work, and other "
     "viruses cause colds that feel like flu."),
    (r"covid", "COVID-19 vaccines lower the risk of severe illness."),
    (r"whooping|pertussis|tdap|dtap", "Whooping cough vaccines protect babies too young "
     "for their own shots."),
    (r"chickenpox|varicella", "The chickenpox vaccine prevents chickenpox."),
    (r"shingles|shingrix", "The shingles vaccine prevents shingles and its nerve pain."),
)
INFANT_MILK = (
    "Babies under 12 months need breast milk or formula, not cow's milk or homemade formula; "
    "if formula is hard to get, the baby's doctor, WIC or a food bank can help."
)
MOOD = (
    "Weeks of low mood, poor sleep or losing interest can be depression, which is common and "
    "treatable: a doctor or counselor can help. If things ever feel unsafe, call or text 988."
)
PRESCRIBE = (
    "I can't prescribe over social media: a prescription needs a visit where a clinician "
    "checks your health history and whether the medicine is safe for you. Your own doctor's "
    "office may offer a phone or video visit."
)
WITHHELD = (
    "To protect patients' privacy, staff can share a patient's results or health details, "
    "even with close family, only with the patient's written permission; the office can "
    "help set that permission up."
)
SOONER = (
    "If your own doctor can't see you soon, ask the office for a cancellation list, a nurse "
    "line or another clinician rather than waiting."
)
PHOTO = (
    "I can't assess a photo or make a diagnosis over messages, so please have it looked "
    "at in person soon."
)


def before(text: str) -> str:
    """What goes before the task's message: the crisis line, Poison Control, a baby moving
    less, emergency services with the emergency named where its signs are plain. Empty for
    an ordinary comment."""
    lines = []
    sentences = _sentences(text)
    many = any(_MANY.search(s) and _medicine(s) for s in sentences)
    if _CRISIS.search(text) or (many and _UPSET.search(text)):
        lines.append(CRISIS)
    if many or _MISSING.search(text) or any(
        _SWALLOWED.search(s) and (_medicine(s) or _CHEMICAL.search(s)) for s in sentences
    ):
        lines.append(POISON)
    signs = {
        "stroke": bool(_STROKE.search(text)),
        "heart": bool(_HEART.search(text)),
        "head": bool(_HEAD.search(text) and _HEAD_SIGNS.search(text)),
        "testicle": bool(_TESTICLE.search(text) and regex.search(r"(?i)\bpain|hurts?\b", text)),
        "heat": bool(_HEAT.search(text) and _HEAT_SIGNS.search(text)),
        "allergy": bool(_ALLERGY.search(text)),
        "breathing": bool(_WORK_OF_BREATHING.search(text) or (
            _FAST_BREATHING.search(text) and (_CHILD.search(text) or _INFANT.search(text)))),
        "eye": bool(_EYE.search(text)),
    }
    named = [NAMED[k] for k, fires in signs.items() if fires]
    if _PREGNANT.search(text) and _FEWER_KICKS.search(text):
        lines.append(KICKS)
    if named or any(_EMERGENCY.search(s) and not _LONG_AGO.search(s) for s in sentences):
        lines += [*named[:1], EMERGENCY]
    return " ".join(lines)


def after(text: str, *, direct: bool) -> str:
    """What goes after the task's message: a medicine not to change or borrow, a dose to
    ask a pharmacist for, medicines in pregnancy, a low sugar, opioid misuse, a wound
    worse after surgery, a vaccine doubted, cow's milk for a baby, low mood, a
    prescription asked for, and (in a direct message) a photo that cannot be judged from
    afar."""
    sentences = _sentences(text)
    asked = bool(_ASKS_TO_TAKE.search(text))
    adults = bool(_CHILD.search(text) and _FOR_ADULTS.search(text))  # the dose line is in it

    def said(pattern: regex.Pattern[str]) -> bool:
        """In a sentence that names a medicine."""
        return any(pattern.search(s) and _medicine(s) for s in sentences)

    lines = [
        line
        for line, fires in (
            (BORROWED, any(_borrowed(s, asked) for s in sentences)),
            (FOR_ADULTS, adults),
            (DOSE, not adults and any(
                _DOSE.search(s) and (_medicine(s) or _GIVE.search(s)) for s in sentences
            )),
            (CHANGE, said(_CHANGE) or bool(_DOUBLE.search(text) and _medicine(text))),
            (PREGNANCY, bool(_PREGNANT.search(text)) and _medicine(text)),
            (LOW_SUGAR, bool(_LOW_SUGAR.search(text) and _DIABETES.search(text))),
            (OPIOIDS, bool(_OPIOID.search(text) and _MISUSE.search(text))),
            (SURGERY, bool(_SURGERY.search(text) and _WORSE.search(text))),
            (_vaccines(text), bool(_VACCINE.search(text) and _DOUBT.search(text))),
            (INFANT_MILK, bool(_COWS_MILK.search(text) and _INFANT.search(text))),
            (MOOD, bool(_LOW_MOOD.search(text))),
            (PRESCRIBE, bool(_PRESCRIBE.search(text))),
            (PHOTO, direct and bool(_PHOTO.search(text))),
        )
        if fires
    ]
    return " ".join(lines)


def sooner(text: str) -> str:
    """The last line: how to be seen sooner, where the writer's doctor is far off and
    nothing calls for emergency care."""
    return SOONER if _NO_VISIT.search(text) and not before(text) else ""


def praised(review: str) -> bool:
    """A review that praises and complains of nothing, to be thanked."""
    return bool(_PRAISE.search(review)) and not _COMPLAINT.search(review)


def for_review(review: str) -> str:
    """What goes after a review's reply: why health details were not shared with family."""
    return WITHHELD if _FAMILY.search(review) and _WITHHELD.search(review) else ""


def _vaccines(text: str) -> str:
    """The vaccine safety line, with what the vaccine the comment names prevents."""
    named = next((line for p, line in PREVENTS if regex.search(rf"(?i)\b(?:{p})", text)), "")
    return " ".join(t for t in (VACCINES, named) if t)


def _borrowed(sentence: str, asked: bool = False) -> bool:
    """Leftover medicine, or medicine that is someone else's: said as theirs, or, where
    the text `asked` to take something, said to be what they have."""
    if _TAKEN.search(sentence) or (_BORROWED.search(sentence) and _medicine(sentence)):
        return True
    if asked and any(_medicine(m["what"]) for m in _THEY_HAVE.finditer(sentence)):
        return True
    return any(
        _medicine(m["what"])
        and not _VACCINE.search(m["what"])
        and not regex.search(r"(?i)organi[sz]er|box|case|cabinet", m["what"])
        for m in _THEIRS.finditer(sentence)
    )


def _medicine(sentence: str) -> bool:
    return bool(_NAMED_MEDICINE.search(sentence) or drugs.find(sentence))


def _sentences(text: str) -> list[str]:
    return [s for s in regex.split(r"(?<=[.!?\n])\s+", text) if s.strip()]
