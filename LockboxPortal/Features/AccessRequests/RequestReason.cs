namespace LockboxPortal.Features.AccessRequests;

/// <summary>
/// Why the provider asks, one per request (after Google's access justification reason codes). Customer-initiated
/// support carries the customer's case number in the ticket reference; the tenant's policy may refuse a reason or
/// ask a higher quorum for some.
/// </summary>
public enum RequestReason
{
    CustomerSupport,
    ProviderIncident,
    Maintenance,
    LegalOrRegulatory,
}

/// <summary>A set of <see cref="RequestReason"/>s, as a tenant's policy names them (stored as one number).</summary>
[Flags]
public enum RequestReasons
{
    None = 0,
    CustomerSupport = 1 << RequestReason.CustomerSupport,
    ProviderIncident = 1 << RequestReason.ProviderIncident,
    Maintenance = 1 << RequestReason.Maintenance,
    LegalOrRegulatory = 1 << RequestReason.LegalOrRegulatory,
    All = CustomerSupport | ProviderIncident | Maintenance | LegalOrRegulatory,
}

public static class RequestReasonWords
{
    public static IReadOnlyList<RequestReason> All { get; } = Enum.GetValues<RequestReason>();

    public static RequestReasons AsSet(this RequestReason reason) => (RequestReasons)(1 << (int)reason);

    public static bool Holds(this RequestReasons set, RequestReason reason) => (set & reason.AsSet()) != 0;

    public static IEnumerable<RequestReason> Members(this RequestReasons set) => All.Where(r => set.Holds(r));

    public static RequestReasons ToSet(this IEnumerable<RequestReason> reasons) =>
        reasons.Aggregate(RequestReasons.None, (set, reason) => set | reason.AsSet());

    public static string Words(this RequestReason reason) => reason switch
    {
        RequestReason.CustomerSupport => "Customer-initiated support",
        RequestReason.ProviderIncident => "Provider-initiated incident",
        RequestReason.Maintenance => "Maintenance",
        RequestReason.LegalOrRegulatory => "Legal or regulatory request",
        _ => reason.ToString(),
    };

    /// <summary>The reason in words, or what a request filed before reasons existed shows.</summary>
    public static string Words(this RequestReason? reason) => reason is { } r ? r.Words() : "Not given";
}
