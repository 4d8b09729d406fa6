"""The read log: who read which case's personal data, when, through which channel and for what (art. 5(2)
and 15 AVG; shaped after Logius' *Logboek dataverwerkingen*). Append-only for the application."""
