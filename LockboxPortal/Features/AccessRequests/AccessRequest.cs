namespace LockboxPortal.Features.AccessRequests;

/// <summary>
/// An engineer's request to open a tenant's content, and its state machine (DESIGN.md "The access request").
/// Every state change is a method that takes the actor and <c>now</c> and throws when the change is not allowed;
/// none silently does nothing.
/// </summary>
public sealed partial class AccessRequest
{
    public const int JustificationMinLength = 10;
    public const int JustificationMaxLength = 2000;
    public const int TicketMaxLength = 100;
    public const int CommentMaxLength = 2000;

    private readonly List<RequestDecision> _decisions = [];

    private AccessRequest()
    {
        Reference = "";
        RequesterId = "";
        RequesterName = "";
        Scope = "";
        Justification = "";
    }

    public Guid Id { get; private set; }

    /// <summary>The short human reference, e.g. <c>LBX-2026-000123</c>.</summary>
    public string Reference { get; private set; }

    public Guid TenantId { get; private set; }

    public string RequesterId { get; private set; }

    public string RequesterName { get; private set; }

    /// <summary>The scope as written, <c>Workload:resource</c>; see <see cref="ResourceScope"/>.</summary>
    public string Scope { get; private set; }

    public AccessLevel AccessLevel { get; private set; }

    public string Justification { get; private set; }

    /// <summary>The support ticket; for customer-initiated support, the customer's case number.</summary>
    public string? TicketReference { get; private set; }

    /// <summary>Why the provider asks; null only on requests filed before reasons were recorded.</summary>
    public RequestReason? Reason { get; private set; }

    public TimeSpan RequestedDuration { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The pending deadline: after it, no decision is applied and the request expires.</summary>
    public DateTimeOffset ExpiresAt { get; private set; }

    public RequestStatus Status { get; private set; }

    /// <summary>How many distinct customer approvals are needed; fixed when the request reaches the customer stage.</summary>
    public int? RequiredApprovals { get; private set; }

    /// <summary>
    /// When the tenant's escalation approvers join this request if nobody has settled it by then; fixed when it
    /// reaches the customer stage (from the policy's <c>EscalateAfter</c>), null when the tenant does not escalate or
    /// the moment would fall at or after the deadline.
    /// </summary>
    public DateTimeOffset? EscalatesAt { get; private set; }

    /// <summary>When the request was escalated; from then on the escalation approvers may decide it.</summary>
    public DateTimeOffset? EscalatedAt { get; private set; }

    public DateTimeOffset? GrantStartsAt { get; private set; }

    /// <summary>
    /// The start the engineer scheduled (a maintenance window), or null to start at approval. The grant opens at the
    /// later of the approval and this; until then the access check refuses with <c>GrantNotStarted</c>.
    /// </summary>
    public DateTimeOffset? StartsAt { get; private set; }

    /// <summary>Approved, with a window that has not opened yet.</summary>
    public bool IsScheduled(DateTimeOffset now) => Status == RequestStatus.Approved && GrantStartsAt > now;

    public DateTimeOffset? GrantEndsAt { get; private set; }

    /// <summary>
    /// Set on an extension: the request whose active grant it asks more time for (docs/decisions/0013-grant-extensions.md).
    /// An extension goes through the same stages and quorum; at quorum it closes as <see cref="RequestStatus.Extended"/>
    /// and the grant it extends ends later. It never opens a grant of its own.
    /// </summary>
    public Guid? ExtendsRequestId { get; private set; }

    /// <summary>The reference of the request an extension extends, for the queues' "Extension of ..." line.</summary>
    public string? ExtendsReference { get; private set; }

    public bool IsExtension => ExtendsRequestId is not null;

    /// <summary>When the request reached a final state, and why (a reason given on deny, reject or revoke).</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    public string? ClosedReason { get; private set; }

    /// <summary>Changes on every transition; storage refuses a write based on a stale copy.</summary>
    public Guid Version { get; private set; }

    public IReadOnlyList<RequestDecision> Decisions => _decisions;

    /// <summary>The next moment a timer must act on this request, or null when nothing is due.</summary>
    public DateTimeOffset? NextDeadline => Status switch
    {
        RequestStatus.PendingInternal or RequestStatus.PendingCustomer => ExpiresAt,
        RequestStatus.Approved => GrantEndsAt,
        _ => null,
    };

    public ResourceScope ParsedScope => ResourceScope.Parse(Scope);

    public IReadOnlyList<RequestDecision> CustomerApprovals =>
        _decisions.Where(d => d.Stage == DecisionStage.Customer && d.Outcome == DecisionOutcome.Approved).ToList();

    /// <summary>Whether this person already approved the customer stage; one person counts once, so they cannot approve again.</summary>
    public bool ApprovedBy(string userId) => CustomerApprovals.Any(d => string.Equals(d.DeciderId, userId, StringComparison.Ordinal));

    public static AccessRequest File(
        Guid id,
        string reference,
        Guid tenantId,
        Actor requester,
        ResourceScope scope,
        AccessLevel accessLevel,
        string? justification,
        string? ticketReference,
        TimeSpan requestedDuration,
        Tenants.TenantPolicy policy,
        DateTimeOffset now,
        DateTimeOffset? startsAt = null,
        RequestReason? reason = null)
    {
        var errors = ValidateFiling(justification, ticketReference, requestedDuration, accessLevel, policy, reason);
        if (StartsAtProblem(startsAt, now) is { } problem)
        {
            errors[nameof(StartsAt)] = [problem];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var trimmedJustification = justification!.Trim();
        var ticket = string.IsNullOrWhiteSpace(ticketReference) ? null : ticketReference.Trim();
        return new AccessRequest
        {
            Id = id,
            Reference = reference,
            TenantId = tenantId,
            RequesterId = requester.UserId,
            RequesterName = requester.DisplayName,
            Scope = scope.ToString(),
            AccessLevel = accessLevel,
            Justification = trimmedJustification,
            TicketReference = ticket,
            Reason = reason,
            RequestedDuration = requestedDuration,
            StartsAt = startsAt?.ToUniversalTime(),
            CreatedAt = now,
            ExpiresAt = now + policy.PendingLifetime,
            Status = RequestStatus.PendingInternal,
            Version = Guid.NewGuid(),
        };
    }

    /// <summary>The shortest duration any counted customer approval allowed, or the requested one when none shortened it.</summary>
    public TimeSpan GrantedDuration =>
        CustomerApprovals.Select(d => d.AllowedDuration ?? RequestedDuration).Append(RequestedDuration).Min();

    /// <summary>What is wrong with an approval for <paramref name="allowed"/>, or null (none asked, or from the minimum up to the requested duration).</summary>
    public string? AllowedDurationProblem(TimeSpan? allowed) => allowed switch
    {
        null => null,
        { } d when d < Tenants.TenantPolicy.MinGrantDuration || d > RequestedDuration =>
            $"Approve for {Format(Tenants.TenantPolicy.MinGrantDuration)} up to the requested {Format(RequestedDuration)}; never more than requested.",
        _ => null,
    };

    /// <summary>How far ahead a request may schedule its grant's start.</summary>
    public static readonly TimeSpan MaxScheduleAhead = TimeSpan.FromDays(7);

    /// <summary>What is wrong with a scheduled start filed at <paramref name="now"/>, or null (none asked for, or later and within a week).</summary>
    public static string? StartsAtProblem(DateTimeOffset? startsAt, DateTimeOffset now) => startsAt switch
    {
        null => null,
        { } at when at <= now => "A scheduled start must be in the future; leave it empty to start at approval.",
        { } at when at > now + MaxScheduleAhead => "A scheduled start may be at most 7 days ahead.",
        _ => null,
    };

    /// <summary>
    /// The furthest end an extension may move this grant to: the tenant's maximum counted from the grant's start, plus
    /// one extension's worth (at most the tenant's maximum again), so at most twice the maximum from the original start.
    /// Where the tenant requires its scope catalogue, <paramref name="catalogueLimit"/> (the longest its entries allow
    /// this scope and level) bounds the whole grant, extensions included, as it bounded the filing.
    /// </summary>
    public DateTimeOffset? FurthestExtendedEnd(Tenants.TenantPolicy policy, TimeSpan? catalogueLimit = null)
    {
        var furthest = GrantStartsAt + policy.MaxGrantDuration * 2;
        return catalogueLimit is { } limit && GrantStartsAt + limit < furthest ? GrantStartsAt + limit : furthest;
    }

    /// <summary>The most one extension may ask for now: the tenant's maximum, or what is left before <see cref="FurthestExtendedEnd"/>.</summary>
    public TimeSpan MostExtension(Tenants.TenantPolicy policy, TimeSpan? catalogueLimit = null)
    {
        var room = FurthestExtendedEnd(policy, catalogueLimit) - GrantEndsAt ?? TimeSpan.Zero;
        return room < policy.MaxGrantDuration ? room : policy.MaxGrantDuration;
    }

    /// <summary>
    /// The requesting engineer asks for more time on this request's active grant: a new request (the extension) for the
    /// same tenant, scope, level, reason and ticket, lasting <paramref name="minutes"/>, filed at the provider's stage.
    /// It passes the filing rules of today's policy (a reason the tenant now refuses, or a ticket it now requires, refuses
    /// it) and stays pending for the tenant's pending lifetime, never past the grant's end. Whether this person may ask
    /// is the service's question; whether another extension is pending too.
    /// </summary>
    public AccessRequest FileExtension(
        Guid id, string reference, Actor requester, TimeSpan minutes, string? justification, Tenants.TenantPolicy policy, DateTimeOffset now,
        TimeSpan? catalogueLimit = null)
    {
        EnsureRequester(requester);
        if (IsEmergency)
        {
            throw new EmergencyNotExtendableException();
        }

        if (Status != RequestStatus.Approved || GrantStartsAt > now || GrantEndsAt is not { } end || now >= end)
        {
            throw new GrantNotRunningException();
        }

        // The extension's length is bounded by the room left below, not by the tenant's maximum alone.
        var errors = ValidateFiling(justification, TicketReference, minutes, AccessLevel, policy, Reason);
        errors.Remove(nameof(RequestedDuration));
        if (Reason is null)
        {
            errors[nameof(Reason)] = ["This grant was filed before reasons were recorded; an extension carries its grant's reason, so it cannot be extended."];
        }

        var most = MostExtension(policy, catalogueLimit);
        var cappedByCatalogue = FurthestExtendedEnd(policy, catalogueLimit) < FurthestExtendedEnd(policy);
        if (most < Tenants.TenantPolicy.MinGrantDuration)
        {
            errors["Minutes"] = [catalogueLimit == TimeSpan.Zero
                ? "The tenant's scope catalogue no longer allows this scope at this access level; this grant cannot be extended."
                : cappedByCatalogue
                ? $"This grant already lasts as long as the tenant's scope catalogue allows for this scope ({Format(catalogueLimit!.Value)} in all); it cannot be extended."
                : $"This grant already reaches the furthest end allowed (twice the tenant's maximum of {Format(policy.MaxGrantDuration)} from its start); it cannot be extended."];
        }
        else if (minutes < Tenants.TenantPolicy.MinGrantDuration || minutes > most)
        {
            errors["Minutes"] = [$"Ask for {Format(Tenants.TenantPolicy.MinGrantDuration)} up to {Format(most)} more."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var expires = now + policy.PendingLifetime;
        return new AccessRequest
        {
            Id = id,
            Reference = reference,
            TenantId = TenantId,
            RequesterId = RequesterId,
            RequesterName = requester.DisplayName,
            Scope = Scope,
            AccessLevel = AccessLevel,
            Justification = justification!.Trim(),
            TicketReference = TicketReference,
            Reason = Reason,
            RequestedDuration = minutes,
            CreatedAt = now,

            // Nothing is left to extend once the grant ends, so nobody may decide the extension after that.
            ExpiresAt = expires < end ? expires : end,
            Status = RequestStatus.PendingInternal,
            ExtendsRequestId = Id,
            ExtendsReference = Reference,
            Version = Guid.NewGuid(),
        };
    }

    /// <summary>
    /// An extension of this request reached its quorum: the grant ends later by what its approvers allowed, never past
    /// <see cref="FurthestExtendedEnd"/> and never earlier than now. Refused when the grant is no longer running (a
    /// late timer has not closed it yet): an ended grant is never re-opened. Returns the end before.
    /// </summary>
    public DateTimeOffset ExtendGrant(AccessRequest extension, Tenants.TenantPolicy policy, DateTimeOffset now, TimeSpan? catalogueLimit = null)
    {
        EnsureStatus(RequestAction.Extend, RequestStatus.Approved);
        if (extension.ExtendsRequestId != Id || extension.Status != RequestStatus.Extended)
        {
            throw new ArgumentException("Only an approved extension of this request extends its grant.", nameof(extension));
        }

        EnsureGrantRunning(now);
        var before = GrantEndsAt!.Value;
        var wanted = before + extension.GrantedDuration;
        var furthest = FurthestExtendedEnd(policy, catalogueLimit)!.Value;
        var moved = wanted < furthest ? wanted : furthest;
        GrantEndsAt = moved > before ? moved : before;
        Touch();
        return before;
    }

    /// <summary>The grant this pending extension asked more time for ended (revoked or released): the extension expires with it.</summary>
    public void CloseWithGrant(string why, DateTimeOffset now)
    {
        if (!IsExtension)
        {
            throw new InvalidOperationException("Only an extension closes with the grant it extends.");
        }

        EnsureStatus(RequestAction.Expire, RequestStatus.PendingInternal, RequestStatus.PendingCustomer);
        Close(RequestStatus.Expired, why, now);
    }

    /// <summary>
    /// The problems with the fields of a new request, keyed by field name; empty when it may be filed. A reason is
    /// required, must be one the tenant accepts, and customer-initiated support must name the customer's case.
    /// </summary>
    public static Dictionary<string, string[]> ValidateFiling(
        string? justification, string? ticketReference, TimeSpan requestedDuration, AccessLevel accessLevel, Tenants.TenantPolicy policy,
        RequestReason? reason)
    {
        var errors = JustificationProblems(justification, accessLevel);
        var ticket = string.IsNullOrWhiteSpace(ticketReference) ? null : ticketReference.Trim();
        if (reason is not { } given || !Enum.IsDefined(given))
        {
            errors[nameof(Reason)] = [ReasonRule];
        }
        else if (policy.RefusedReasons.Holds(given))
        {
            errors[nameof(Reason)] = [$"This tenant does not accept requests for the reason \"{given.Words()}\"; it accepts {AcceptedWords(policy)}."];
        }

        if (ticket is null && reason == RequestReason.CustomerSupport)
        {
            errors[nameof(TicketReference)] = ["Customer-initiated support needs the customer's case number."];
        }
        else if (ticket is null && policy.RequireTicketReference)
        {
            errors[nameof(TicketReference)] = ["This tenant requires a support ticket reference."];
        }
        else if (ticket is not null && (ticket.Length > TicketMaxLength || TextRules.FirstHiddenCharacter(ticket) is not null))
        {
            errors[nameof(TicketReference)] = [$"The ticket reference must be at most {TicketMaxLength} printable characters."];
        }

        if (requestedDuration < Tenants.TenantPolicy.MinGrantDuration || requestedDuration > policy.MaxGrantDuration)
        {
            errors[nameof(RequestedDuration)] =
                [$"The duration must be between {Format(Tenants.TenantPolicy.MinGrantDuration)} and this tenant's maximum of {Format(policy.MaxGrantDuration)}."];
        }

        return errors;
    }

    /// <summary>What every filing and declaration needs: a justification of the right length, and a known access level.</summary>
    private static Dictionary<string, string[]> JustificationProblems(string? justification, AccessLevel accessLevel)
    {
        var errors = new Dictionary<string, string[]>();
        var trimmedJustification = justification?.Trim() ?? "";
        if (trimmedJustification.Length < JustificationMinLength || trimmedJustification.Length > JustificationMaxLength)
        {
            errors[nameof(Justification)] = [$"A justification of {JustificationMinLength} to {JustificationMaxLength} characters is required."];
        }

        if (!Enum.IsDefined(accessLevel))
        {
            errors[nameof(AccessLevel)] = ["The access level must be Read or ReadWrite."];
        }

        return errors;
    }

    public const string ReasonRule =
        "Choose why you ask: customer-initiated support, provider-initiated incident, maintenance, or a legal or regulatory request.";

    private static string AcceptedWords(Tenants.TenantPolicy policy) =>
        string.Join(", ", (RequestReasons.All & ~policy.RefusedReasons).Members().Select(r => r.Words().ToLowerInvariant()));

    /// <summary>
    /// The provider's engineering manager lets the request go on to the customer. <paramref name="escalateAfter"/> is
    /// the tenant's escalation delay, counted from now (the moment the approvers are asked).
    /// </summary>
    public void ApproveInternal(Actor manager, string? comment, int requiredCustomerApprovals, DateTimeOffset now, TimeSpan? escalateAfter = null)
    {
        EnsureDecidable(RequestStatus.PendingInternal, RequestAction.ApproveInternal, manager, null, now);
        if (requiredCustomerApprovals < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(requiredCustomerApprovals), "At least one customer approval is always required.");
        }

        _decisions.Add(new RequestDecision(DecisionStage.Internal, DecisionOutcome.Approved, manager, null, Clean(comment), now));
        RequiredApprovals = requiredCustomerApprovals;
        EscalatesAt = escalateAfter is { } after && now + after < ExpiresAt ? now + after : null;
        MoveTo(RequestStatus.PendingCustomer);
    }

    /// <summary>
    /// Nobody settled the request by <see cref="EscalatesAt"/>: the tenant's escalation approvers join its deciders.
    /// Refused before that moment, after the deadline, twice, or for a request not awaiting the customer.
    /// </summary>
    public void Escalate(DateTimeOffset now)
    {
        EnsureStatus(RequestAction.Escalate, RequestStatus.PendingCustomer);
        if (EscalatesAt is not { } due || EscalatedAt is not null)
        {
            throw new InvalidTransitionException(Status, RequestAction.Escalate);
        }

        if (now < due)
        {
            throw new DeadlineNotReachedException(due);
        }

        EnsureBeforeDeadline(now);
        EscalatedAt = now;
        Touch();
    }

    public void DenyInternal(Actor manager, string? reason, DateTimeOffset now)
    {
        EnsureDecidable(RequestStatus.PendingInternal, RequestAction.DenyInternal, manager, null, now);
        var cleanReason = RequireReason(reason);
        _decisions.Add(new RequestDecision(DecisionStage.Internal, DecisionOutcome.Rejected, manager, null, cleanReason, now));
        Close(RequestStatus.Denied, cleanReason, now);
    }

    /// <summary>
    /// Whose authority a customer-stage decision by <paramref name="approver"/> uses, so that one person counts once:
    /// their own when they are on the approver list and not yet counted, otherwise that of the first approver who
    /// delegated to them and is not yet counted. When everything they hold is counted already, the answer is one that
    /// <see cref="ApproveCustomer"/> refuses as already counted.
    /// </summary>
    public Actor? CountsFor(Actor approver, bool onApproverList, IReadOnlyList<Actor> delegators)
    {
        if (!onApproverList && delegators.Count == 0)
        {
            throw new ArgumentException("A customer-stage decision needs the approver list or a delegation.", nameof(delegators));
        }

        var counted = CustomerApprovals.SelectMany(d => d.PeopleCounted).ToHashSet(StringComparer.Ordinal);
        if (onApproverList && !counted.Contains(approver.UserId))
        {
            return null;
        }

        var uncounted = delegators.FirstOrDefault(d => !counted.Contains(d.UserId));
        return uncounted ?? (onApproverList ? null : delegators[0]);
    }

    /// <summary>
    /// A customer approver approves, for themselves or (<paramref name="onBehalfOf"/>) as a delegate.
    /// Whether they may is the service's question; this method keeps the quorum arithmetic:
    /// each person's authority counts once, and the grant opens when enough distinct people agreed, unless the
    /// engineer already holds a grant on an overlapping scope (<paramref name="grantHeld"/>, found by the service).
    /// </summary>
    public void ApproveCustomer(
        Actor approver, Actor? onBehalfOf, string? comment, DateTimeOffset now, TimeSpan? allowedDuration = null, AccessRequest? grantHeld = null)
    {
        EnsureDecidable(RequestStatus.PendingCustomer, RequestAction.ApproveCustomer, approver, onBehalfOf, now);
        if (AllowedDurationProblem(allowedDuration) is { } problem)
        {
            throw InvalidInputException.For(nameof(RequestDecision.AllowedDuration), problem);
        }

        EnsureNotCounted(approver, onBehalfOf);

        // One engineer holds one grant per scope and tenant: the approval that would open a second is refused.
        if (grantHeld is not null && !IsExtension && CustomerApprovals.Count + 1 >= (RequiredApprovals ?? 1))
        {
            throw new GrantAlreadyHeldException(RequesterName, grantHeld.Scope, grantHeld.Reference);
        }

        var allowed = allowedDuration is { } shorter && shorter < RequestedDuration ? shorter : (TimeSpan?)null;
        _decisions.Add(new RequestDecision(DecisionStage.Customer, DecisionOutcome.Approved, approver, onBehalfOf, Clean(comment), now, allowed));
        if (CustomerApprovals.Count >= (RequiredApprovals ?? 1) && IsExtension)
        {
            // An extension opens nothing itself: the service moves the end of the grant it extends (ExtendGrant).
            Close(RequestStatus.Extended, null, now);
        }
        else if (CustomerApprovals.Count >= (RequiredApprovals ?? 1))
        {
            // The window opens at the later of the approval and the start the engineer scheduled, and lasts as long as
            // the most cautious counted approver allowed (the request's duration when nobody shortened it).
            GrantStartsAt = StartsAt is { } scheduled && scheduled > now ? scheduled : now;
            GrantEndsAt = GrantStartsAt + GrantedDuration;
            MoveTo(RequestStatus.Approved);
        }
        else
        {
            Touch();
        }
    }

    /// <summary>One person counts once toward a quorum, for themselves or for whom they act.</summary>
    private void EnsureNotCounted(Actor approver, Actor? onBehalfOf)
    {
        var counted = CustomerApprovals.SelectMany(d => d.PeopleCounted).ToHashSet(StringComparer.Ordinal);
        if (counted.Contains(approver.UserId))
        {
            throw new AlreadyCountedException(approver.DisplayName);
        }

        if (onBehalfOf is not null && counted.Contains(onBehalfOf.UserId))
        {
            throw new AlreadyCountedException(onBehalfOf.DisplayName);
        }
    }

    /// <summary>A single rejection ends the request (veto).</summary>
    public void RejectCustomer(Actor approver, Actor? onBehalfOf, string? reason, DateTimeOffset now)
    {
        EnsureDecidable(RequestStatus.PendingCustomer, RequestAction.RejectCustomer, approver, onBehalfOf, now);
        var cleanReason = RequireReason(reason);
        _decisions.Add(new RequestDecision(DecisionStage.Customer, DecisionOutcome.Rejected, approver, onBehalfOf, cleanReason, now));
        Close(RequestStatus.Rejected, cleanReason, now);
    }

    public void Cancel(Actor requester, DateTimeOffset now)
    {
        EnsureStatus(RequestAction.Cancel, RequestStatus.PendingInternal, RequestStatus.PendingCustomer);
        EnsureRequester(requester);
        EnsureBeforeDeadline(now);
        Close(RequestStatus.Cancelled, null, now);
    }

    public void Expire(DateTimeOffset now)
    {
        EnsureStatus(RequestAction.Expire, RequestStatus.PendingInternal, RequestStatus.PendingCustomer);
        if (now < ExpiresAt)
        {
            throw new DeadlineNotReachedException(ExpiresAt);
        }

        Close(RequestStatus.Expired, null, now);
    }

    /// <summary>The customer ends an active grant early. Whether this actor may is the service's question.</summary>
    public void Revoke(Actor actor, string? reason, DateTimeOffset now)
    {
        EnsureStatus(RequestAction.Revoke, RequestStatus.Approved);
        EnsureGrantRunning(now);
        var cleanReason = RequireReason(reason);
        GrantEndsAt = now;
        Close(RequestStatus.Revoked, $"{actor.DisplayName}: {cleanReason}", now);
    }

    /// <summary>
    /// The tenant was deactivated: a pending request expires at once and an active grant ends at once, whatever
    /// their deadlines say. Any other state is already final and is refused like every illegal transition.
    /// </summary>
    public void CloseForDeactivatedTenant(Actor actor, DateTimeOffset now) =>
        CloseAtOnce($"The tenant was deactivated by {actor.DisplayName}.", now);

    /// <summary>
    /// The requesting engineer was offboarded (deactivated, or no longer an Engineer; DESIGN.md rule 10): as for a
    /// deactivated tenant, a pending request expires and an active grant ends at once.
    /// </summary>
    public void CloseForOffboardedRequester(string why, DateTimeOffset now) => CloseAtOnce(why, now);

    private void CloseAtOnce(string reason, DateTimeOffset now)
    {
        EnsureStatus(RequestAction.Expire, RequestStatus.PendingInternal, RequestStatus.PendingCustomer, RequestStatus.Approved);
        if (Status == RequestStatus.Approved)
        {
            // A grant whose end already passed (the timer has not run yet) gives nothing more by being revoked.
            GrantEndsAt = GrantEndsAt is { } end && end < now ? end : now;
            Close(RequestStatus.Revoked, reason, now);
        }
        else
        {
            Close(RequestStatus.Expired, reason, now);
        }
    }

    /// <summary>The engineer ends their own grant when the work is done.</summary>
    public void Release(Actor requester, DateTimeOffset now)
    {
        EnsureStatus(RequestAction.Release, RequestStatus.Approved);
        EnsureRequester(requester);
        EnsureGrantRunning(now);
        GrantEndsAt = now;
        Close(RequestStatus.Completed, "Released by the engineer.", now);
    }

    public void Complete(DateTimeOffset now)
    {
        EnsureStatus(RequestAction.Complete, RequestStatus.Approved);
        if (now < GrantEndsAt)
        {
            throw new DeadlineNotReachedException(GrantEndsAt!.Value);
        }

        Close(RequestStatus.Completed, null, now);
    }

    private void EnsureDecidable(RequestStatus expected, RequestAction action, Actor decider, Actor? onBehalfOf, DateTimeOffset now)
    {
        EnsureStatus(action, expected);
        if (string.Equals(decider.UserId, RequesterId, StringComparison.Ordinal)
            || string.Equals(onBehalfOf?.UserId, RequesterId, StringComparison.Ordinal))
        {
            throw new SelfApprovalException();
        }

        EnsureBeforeDeadline(now);
    }

    private void EnsureStatus(RequestAction action, params RequestStatus[] allowed)
    {
        if (!allowed.Contains(Status))
        {
            throw new InvalidTransitionException(Status, action);
        }
    }

    private void EnsureBeforeDeadline(DateTimeOffset now)
    {
        if (now >= ExpiresAt)
        {
            throw new DeadlinePassedException(ExpiresAt);
        }
    }

    private void EnsureGrantRunning(DateTimeOffset now)
    {
        if (GrantEndsAt is null || now >= GrantEndsAt)
        {
            throw new DeadlinePassedException(GrantEndsAt ?? now);
        }
    }

    private void EnsureRequester(Actor actor)
    {
        if (!string.Equals(actor.UserId, RequesterId, StringComparison.Ordinal))
        {
            throw new NotRequesterException();
        }
    }

    private static string RequireReason(string? reason)
    {
        var clean = Clean(reason);
        return clean ?? throw InvalidInputException.For("Reason", "A reason is required.");
    }

    private static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        return trimmed.Length <= CommentMaxLength
            ? trimmed
            : throw InvalidInputException.For("Comment", $"A comment or reason must be at most {CommentMaxLength} characters.");
    }

    private void Close(RequestStatus status, string? reason, DateTimeOffset now)
    {
        ClosedAt = now;
        ClosedReason = reason;
        MoveTo(status);
    }

    private void MoveTo(RequestStatus status)
    {
        Status = status;
        Touch();
    }

    private void Touch() => Version = Guid.NewGuid();

    private static string Format(TimeSpan span) =>
        span.TotalHours >= 1 && span.Minutes == 0 ? $"{span.TotalHours:0} h" : $"{span.TotalMinutes:0} min";
}
