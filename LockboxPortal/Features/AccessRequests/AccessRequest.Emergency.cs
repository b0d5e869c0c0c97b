using System.Text.RegularExpressions;

namespace LockboxPortal.Features.AccessRequests;

/// <summary>Where an emergency's after-the-fact customer stage stands.</summary>
public enum Ratification
{
    /// <summary>Declared; the tenant's quorum may ratify it, or one approver reject it, until <see cref="AccessRequest.ExpiresAt"/>.</summary>
    Pending,
    Ratified,

    /// <summary>An approver rejected it (veto); a grant still running was revoked at that moment.</summary>
    Rejected,

    /// <summary>Nobody settled it in the tenant's window. The engineer's next emergency there is refused until an officer reviews it.</summary>
    Unratified,
}

/// <summary>
/// Emergency access the customer ratifies (docs/decisions/0016-emergency-access-ratified-after.md). An emergency is an
/// access request whose grant opens when it is declared, for at most the tenant's emergency length, and whose customer
/// stage comes after the fact: the tenant's quorum ratifies it, one approver rejects it, or the window ends and it is
/// unratified. <see cref="Status"/> keeps telling the grant's story (Approved, then Completed or Revoked);
/// <see cref="Ratification"/> tells the customer's. The ratification deadline is <see cref="ExpiresAt"/>: the moment
/// after which no decision is applied, as for every request.
/// </summary>
public sealed partial class AccessRequest
{
    public const int IncidentReferenceMinLength = 3;
    public const int IncidentReferenceMaxLength = 64;
    public const int ReviewNoteMaxLength = CommentMaxLength;

    public const string IncidentReferenceRule =
        "An incident reference of 3 to 64 characters is required: letters, digits and - _ . : / #, starting with a letter or digit (e.g. INC-2026-0042).";

    /// <summary>The incident an emergency was declared for; null on every ordinary request.</summary>
    public string? IncidentReference { get; private set; }

    /// <summary>Null on an ordinary request; on an emergency, where its ratification stands.</summary>
    public Ratification? Ratification { get; private set; }

    public bool IsEmergency => Ratification is not null;

    /// <summary>Declared, and still open to the tenant's approvers: not settled and its window not passed.</summary>
    public bool AwaitsRatification(DateTimeOffset now) => Ratification == AccessRequests.Ratification.Pending && now < ExpiresAt;

    /// <summary>When a security officer reviewed this unratified emergency, who, and what they noted.</summary>
    public DateTimeOffset? ReviewedAt { get; private set; }

    public string? ReviewedByName { get; private set; }

    public string? ReviewNote { get; private set; }

    /// <summary>Unratified and not reviewed yet: it holds back the engineer's next emergency in this tenant.</summary>
    public bool AwaitsReview => Ratification == AccessRequests.Ratification.Unratified && ReviewedAt is null;

    /// <summary>
    /// An engineer declares an emergency: the grant opens now for the tenant's emergency length (never more than
    /// <see cref="Tenants.TenantPolicy.MaxEmergencyGrantDuration"/>), and the tenant's quorum (as for a provider
    /// incident) must ratify it by now plus the tenant's window. A catalogue entry shorter than that length
    /// (<paramref name="catalogueLimit"/>) shortens the grant. Whether the tenant allows it, whether this engineer
    /// may, and the scope rules (catalogue, one grant per scope) are the service's questions.
    /// </summary>
    public static AccessRequest DeclareEmergency(
        Guid id, string reference, Guid tenantId, Actor requester, ResourceScope scope, AccessLevel accessLevel,
        string? justification, string? incidentReference, Tenants.TenantPolicy policy, DateTimeOffset now, TimeSpan? catalogueLimit = null)
    {
        var errors = ValidateEmergency(justification, incidentReference, accessLevel);
        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var length = policy.EmergencyGrantDuration < Tenants.TenantPolicy.MaxEmergencyGrantDuration
            ? policy.EmergencyGrantDuration
            : Tenants.TenantPolicy.MaxEmergencyGrantDuration;
        if (catalogueLimit is { } limit && limit > TimeSpan.Zero && limit < length)
        {
            length = limit;
        }
        return new AccessRequest
        {
            Id = id,
            Reference = reference,
            TenantId = tenantId,
            RequesterId = requester.UserId,
            RequesterName = requester.DisplayName,
            Scope = scope.ToString(),
            AccessLevel = accessLevel,
            Justification = justification!.Trim(),
            IncidentReference = incidentReference!.Trim(),
            Reason = RequestReason.ProviderIncident,
            RequestedDuration = length,
            CreatedAt = now,
            ExpiresAt = now + policy.EmergencyRatificationWindow,
            RequiredApprovals = policy.RequiredApprovalsFor(RequestReason.ProviderIncident),
            GrantStartsAt = now,
            GrantEndsAt = now + length,
            Status = RequestStatus.Approved,
            Ratification = AccessRequests.Ratification.Pending,
            Version = Guid.NewGuid(),
        };
    }

    /// <summary>The problems with an emergency's fields, keyed by field name; empty when it may be declared.</summary>
    public static Dictionary<string, string[]> ValidateEmergency(string? justification, string? incidentReference, AccessLevel accessLevel)
    {
        var errors = JustificationProblems(justification, accessLevel);
        if (!IsIncidentReference(incidentReference?.Trim()))
        {
            errors[nameof(IncidentReference)] = [IncidentReferenceRule];
        }

        return errors;
    }

    private static bool IsIncidentReference(string? text) =>
        text is { Length: >= IncidentReferenceMinLength and <= IncidentReferenceMaxLength } && IncidentPattern().IsMatch(text);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9\-_.:/#]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IncidentPattern();

    /// <summary>
    /// A customer approver ratifies, for themselves or as a delegate, under the same rules as a customer approval:
    /// never the requester, one person counts once, never after the window. At the quorum fixed at declaration the
    /// emergency is ratified; the grant is untouched (it may well have ended already).
    /// </summary>
    public void RatifyEmergency(Actor approver, Actor? onBehalfOf, string? comment, DateTimeOffset now)
    {
        EnsureRatifiable(approver, onBehalfOf, now);
        EnsureNotCounted(approver, onBehalfOf);
        _decisions.Add(new RequestDecision(DecisionStage.Customer, DecisionOutcome.Approved, approver, onBehalfOf, Clean(comment), now));
        if (CustomerApprovals.Count >= (RequiredApprovals ?? 1))
        {
            Ratification = AccessRequests.Ratification.Ratified;
        }

        Touch();
    }

    /// <summary>
    /// One approver rejects the emergency (veto): it is marked rejected and, if its grant is still running, the grant
    /// ends now (revoked). Returns whether a running grant was revoked.
    /// </summary>
    public bool RejectEmergency(Actor approver, Actor? onBehalfOf, string? reason, DateTimeOffset now)
    {
        EnsureRatifiable(approver, onBehalfOf, now);
        var cleanReason = RequireReason(reason);
        _decisions.Add(new RequestDecision(DecisionStage.Customer, DecisionOutcome.Rejected, approver, onBehalfOf, cleanReason, now));
        Ratification = AccessRequests.Ratification.Rejected;
        if (Status == RequestStatus.Approved && now < GrantEndsAt)
        {
            GrantEndsAt = now;
            Close(RequestStatus.Revoked, $"Emergency rejected by {approver.DisplayName}: {cleanReason}", now);
            return true;
        }

        Touch();
        return false;
    }

    /// <summary>The tenant's window ended with no quorum and no rejection: the emergency stays on record as unratified.</summary>
    public void MarkUnratified(DateTimeOffset now)
    {
        if (Ratification != AccessRequests.Ratification.Pending)
        {
            throw Ratification is { } settled
                ? new RatificationClosedException(settled)
                : new InvalidOperationException("Only an emergency is marked unratified.");
        }

        if (now < ExpiresAt)
        {
            throw new DeadlineNotReachedException(ExpiresAt);
        }

        Ratification = AccessRequests.Ratification.Unratified;
        Touch();
    }

    /// <summary>
    /// A security officer of the tenant reviews an unratified emergency, with a note (required): from then on its
    /// engineer may declare again in this tenant. Whether this person is such an officer is the service's question.
    /// </summary>
    public void ReviewUnratified(Actor officer, string? note, DateTimeOffset now)
    {
        if (!AwaitsReview)
        {
            throw new NotUnratifiedException();
        }

        if (string.Equals(officer.UserId, RequesterId, StringComparison.Ordinal))
        {
            throw new SelfApprovalException();
        }

        var clean = Clean(note) ?? throw InvalidInputException.For(nameof(ReviewNote), "Say what the review found; a note is required.");
        ReviewedAt = now;
        ReviewedByName = officer.DisplayName;
        ReviewNote = clean;
        Touch();
    }

    private void EnsureRatifiable(Actor approver, Actor? onBehalfOf, DateTimeOffset now)
    {
        if (Ratification != AccessRequests.Ratification.Pending)
        {
            throw Ratification is { } settled ? new RatificationClosedException(settled) : new InvalidTransitionException(Status, RequestAction.ApproveCustomer);
        }

        if (string.Equals(approver.UserId, RequesterId, StringComparison.Ordinal)
            || string.Equals(onBehalfOf?.UserId, RequesterId, StringComparison.Ordinal))
        {
            throw new SelfApprovalException();
        }

        EnsureBeforeDeadline(now);
    }
}
