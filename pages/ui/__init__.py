"""What the pages share: the frame (navigation, sidebar filters), cached data, widgets, charts."""
