/// The event types this build writes. Readers keep accepting every type ever written.
public enum EventType {
    /// `fieldkit init` made this device.
    public static let deviceInitialised = "device.initialised"
    /// `fieldkit restore` made this device as the successor of another.
    public static let deviceRestored = "device.restored"
    /// A repair was done to an instrument.
    public static let repairLogged = "repair.logged"
    /// A repair record was corrected.
    public static let repairAmended = "repair.amended"
    /// A training session was given.
    public static let trainingRecorded = "training.recorded"
    /// A training record was corrected.
    public static let trainingAmended = "training.amended"
    /// An instrument went out on loan to a site.
    public static let loanOut = "loan.out"
    /// An instrument came back to the depot.
    public static let loanReturned = "loan.returned"
    /// An instrument moved from one site to another.
    public static let loanMoved = "loan.moved"
    /// A donated or unknown instrument was registered under a provisional tag.
    public static let instrumentRegistered = "instrument.registered"
    /// A site audit: what was scanned, missing, unexpected or at the wrong site.
    public static let auditRecorded = "audit.recorded"
    /// A person decided a conflict: the value of one head is kept over all heads (its basis).
    public static let conflictResolved = "conflict.resolved"
    /// Headquarters took a new instrument into the depot under a new depot tag.
    public static let instrumentAdded = "instrument.added"
    /// Headquarters retired an instrument: its status becomes `retired`.
    public static let instrumentRetired = "instrument.retired"
    /// Headquarters accepted a field registration as a new depot instrument: `provisional` → `tag`.
    public static let instrumentConfirmed = "instrument.confirmed"
    /// Headquarters found that a field registration was a known instrument: `provisional` → `tag`.
    public static let instrumentMapped = "instrument.mapped"

    /// Decisions only headquarters makes: an archive from a laptop that holds one is refused.
    public static let headquartersOnly: Set<String> = [
        instrumentAdded, instrumentRetired, instrumentConfirmed, instrumentMapped,
    ]
}
