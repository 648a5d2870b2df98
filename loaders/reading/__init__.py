"""The reading rules every source shares: neutral blocks, titles, dates, labelled lines,
sections and action items. A source turns its body into blocks; these rules do the rest."""
