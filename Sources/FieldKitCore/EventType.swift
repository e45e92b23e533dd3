/// The event types this build writes. Readers keep accepting every type ever written.
public enum EventType {
    /// `fieldkit init` made this device.
    public static let deviceInitialised = "device.initialised"
    /// `fieldkit restore` made this device as the successor of another.
    public static let deviceRestored = "device.restored"
}
