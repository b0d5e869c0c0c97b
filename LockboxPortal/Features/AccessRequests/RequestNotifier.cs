namespace LockboxPortal.Features.AccessRequests;

public enum RequestEventKind
{
    Filed,
    InternalApproved,
    InternalDenied,
    CustomerApproved,
    CustomerRejected,
    Cancelled,
    Expired,
    Revoked,
    Released,
    Completed,
}

/// <summary>Something happened to a request. Carries only what is needed to decide who should look again.</summary>
public sealed record RequestEvent(
    Guid RequestId,
    string Reference,
    Guid TenantId,
    string RequesterId,
    RequestStatus Status,
    RequestEventKind Kind,
    string ActorName,
    DateTimeOffset At);

/// <summary>Request events: filed, decided, cancelled, expired, revoked, released, completed.</summary>
public sealed class RequestNotifier(ILogger<RequestNotifier> logger) : InProcessNotifier<RequestEvent>(logger);
