/// Which instruments an event is about, read from its payload.
public enum EventTags {
    /// The tags an event touches: its `tag`, if any.
    public static func tags(of event: Event) -> [String] {
        event.payload["tag"]?.stringValue.map { [$0] } ?? []
    }
}
