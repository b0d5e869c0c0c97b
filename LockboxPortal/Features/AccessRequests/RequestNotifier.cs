using System.Text.Json;
using LockboxPortal.Data;

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
    Escalated,

    /// <summary>An extension reached its quorum: this (the extended) request's grant ends later.</summary>
    Extended,
    QuestionAsked,
    QuestionAnswered,

    /// <summary>An engineer declared an emergency: its grant is open, and the tenant's approvers are asked to ratify it.</summary>
    EmergencyDeclared,
    EmergencyRatified,

    /// <summary>An approver rejected the emergency; a grant still running was revoked with it.</summary>
    EmergencyRejected,
    EmergencyUnratified,
    EmergencyReviewed,

    /// <summary>A service client reported what it did under the grant (Features/Transparency); the request itself is unchanged.</summary>
    ActivityReported,

    /// <summary>Access checks under the grant were counted and stored; the request itself is unchanged.</summary>
    ChecksCounted,
}

public static class RequestEventKinds
{
    /// <summary>
    /// What was done under a grant, not a change of the request: only pages that show it (the request page) read again,
    /// so a busy data plane does not make every list and queue re-read.
    /// </summary>
    public static bool IsActivity(this RequestEventKind kind) => kind is RequestEventKind.ActivityReported or RequestEventKind.ChecksCounted;
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
    DateTimeOffset At,
    Guid? ExtendsRequestId = null,
    bool AwaitsRatification = false)
{
    public OutboundMessage ToOutboundMessage() =>
        new("AccessRequest." + Kind, TenantId, RequestId.ToString(), JsonSerializer.Serialize(this, JsonSerializerOptions.Web));
}

/// <summary>
/// Request events (filed, decided, escalated, cancelled, expired, revoked, released, completed), produced in one place: the
/// operation raises the event inside its transaction, which hands it to <see cref="IOutboundMessages"/> there, and
/// publishes the same event to subscribers once the transaction has committed.
/// </summary>
public sealed class RequestNotifier(IEventTransport transport, IOutboundMessages outbound, TimeProvider time) : Notifier<RequestEvent>(transport)
{
    /// <summary>Inside the operation's transaction, on its context: the event of this change, handed to outbound messages.</summary>
    public async Task<RequestEvent> RaiseAsync(LockboxDbContext db, AccessRequest request, RequestEventKind kind, Actor actor, CancellationToken cancellationToken)
    {
        var change = new RequestEvent(
            request.Id, request.Reference, request.TenantId, request.RequesterId, request.Status, kind, actor.DisplayName, time.GetUtcNow(),
            request.ExtendsRequestId, request.AwaitsRatification(time.GetUtcNow()));
        await outbound.HandOffAsync(db, change.ToOutboundMessage(), cancellationToken);
        return change;
    }

    /// <summary>Counted here, once, on the node whose operation committed it.</summary>
    public override Task PublishAsync(RequestEvent change)
    {
        LockboxMetrics.RequestEvent(change.Kind.ToString());
        return base.PublishAsync(change);
    }
}
