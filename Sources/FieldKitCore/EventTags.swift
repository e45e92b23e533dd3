/// Which instruments an event is about, read from its payload.
public enum EventTags {
    /// The tags an event touches: its `tag`, if any, and the `provisional` tag a confirmation
    /// or a mapping names.
    public static func tags(of event: Event) -> [String] {
        var tags = event.payload["tag"]?.stringValue.map { [$0] } ?? []
        if event.type == EventType.instrumentConfirmed || event.type == EventType.instrumentMapped,
            let provisional = event.payload["provisional"]?.stringValue
        {
            tags.append(provisional)
        }
        return tags
    }
}
