namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>
/// What a hub client receives: enough to know which request changed and how, never its content
/// (justification, scope); a client that wants more asks the API with its own authorization.
/// </summary>
public sealed record RequestChangedMessage(
    Guid RequestId,
    string Reference,
    Guid TenantId,
    string Status,
    string Kind,
    string ActorName,
    DateTimeOffset At)
{
    /// <summary>The client method the hub calls.</summary>
    public const string Method = "RequestChanged";

    public static RequestChangedMessage From(RequestEvent change) => new(
        change.RequestId, change.Reference, change.TenantId, change.Status.ToString(), change.Kind.ToString(), change.ActorName, change.At);
}
