using System.Text.Json;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Features.Notifications;

/// <summary>
/// Who hears what by email (issue 14), worked out inside the operation's transaction from what it just changed, and
/// written to the outbox as one row per recipient:
/// the tenant's approvers and their active delegates when a request reaches the customer stage; the other approvers
/// when a colleague decided; the requester when the request is decided, expires or is revoked, and shortly before
/// the grant ends; a delegate when a delegation to them starts and ends.
/// </summary>
/// <remarks>
/// No email carries a token or a link that decides: a decision needs a signed-in session with the tenant's second
/// factor (README "Notifications"), so an email only says what happened and links to the request page.
/// </remarks>
public sealed class EmailNotices(IOptions<EmailSettings> email, IOptions<PortalSettings> portal, TimeProvider time)
{
    /// <summary>How long before a grant ends its requester is reminded (half the grant when it is shorter than twice this).</summary>
    public static readonly TimeSpan GrantEndingLead = TimeSpan.FromMinutes(15);

    public const string GrantEndingSoon = "Grant.EndingSoon";
    public const string DelegationStarted = "Delegation.Started";
    public const string Reminder = "AccessRequest.Reminder";

    /// <summary>The message type the audit feature hands off with each new signed checkpoint of a tenant's chain.</summary>
    public const string AuditCheckpoint = "audit.checkpoint";

    private const string NoDecisionByEmail =
        "Decisions are made only in LockboxPortal, signed in: this email carries no approve link, by design.";

    public async Task PlanAsync(LockboxDbContext db, OutboundMessage message, CancellationToken cancellationToken)
    {
        if (message.Type.StartsWith("AccessRequest.", StringComparison.Ordinal))
        {
            var change = JsonSerializer.Deserialize<RequestEvent>(message.PayloadJson, JsonSerializerOptions.Web)!;
            await PlanRequestAsync(db, change, cancellationToken);
        }
        else if (message.Type.StartsWith("Delegation.", StringComparison.Ordinal))
        {
            var change = JsonSerializer.Deserialize<DelegationEvent>(message.PayloadJson, JsonSerializerOptions.Web)!;
            await PlanDelegationAsync(db, change, cancellationToken);
        }
        else if (message.Type == AuditCheckpoint && email.Value.Enabled)
        {
            await PlanCheckpointAsync(db, message.TenantId, message, cancellationToken);
        }
        else if (message.Type == QuorumWatch.MessageType && email.Value.Enabled)
        {
            PlanQuorumWarning(db, await OfficersAsync(db, message.TenantId, cancellationToken), message);
        }
        else if (message.Type == ApproverListService.PolicyChangeProposedMessage && email.Value.Enabled)
        {
            await PlanPolicyChangeAsync(db, message, cancellationToken);
        }
    }

    /// <summary>
    /// Fewer than quorum + 1 of the tenant's approvers can decide: its security officers hear who cannot and why, so
    /// they add an approver or a delegate before a request waits for nobody.
    /// </summary>
    private void PlanQuorumWarning(LockboxDbContext db, IReadOnlyList<PortalUser> officers, OutboundMessage message)
    {
        var warning = JsonSerializer.Deserialize<QuorumWarning>(message.PayloadJson, JsonSerializerOptions.Web)!;
        var unmet = warning.Level == nameof(QuorumLevel.Unmet);
        var (subject, intro) = unmet
            ? ($"{warning.Name}: no request can be approved now",
                $"Only {warning.CanDecide} of {warning.Name}'s approvers can decide right now, and requests need {warning.Quorum}. No request can be approved until someone is added, reactivated or enrolled in two-factor sign-in, or a delegate covers for them.")
            : ($"{warning.Name}: one more absence stops approvals",
                $"{warning.CanDecide} of {warning.Name}'s approvers can decide right now and requests need {warning.Quorum}: if one more is away, no request can be approved. Add an approver or a delegate.");
        List<(string, string?)> facts = [("Tenant", warning.Name), ("Can decide", $"{warning.CanDecide}"), ("Approvals needed", $"{warning.Quorum}")];
        facts.AddRange(warning.Approvers.Select(a => (a.Name, (string?)a.Words)));
        var now = time.GetUtcNow();
        foreach (var person in officers)
        {
            var content = EmailContent.Compose(person.Email!, person.DisplayName, subject, intro, facts, portal.Value.LinkTo($"/tenants/{warning.TenantId}/policy"));
            db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Email, QuorumWatch.MessageType, message.TenantId, message.SubjectId, person.Email!, content.ToJson(), now));
        }
    }

    /// <summary>The tenant's security officers who can be written to.</summary>
    private static async Task<List<PortalUser>> OfficersAsync(LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var officers = await db.Memberships.Where(m => m.TenantId == tenantId && m.Role == PortalRole.SecurityOfficer).Select(m => m.UserId)
            .Distinct().ToListAsync(cancellationToken);
        return await db.Users.AsNoTracking().Where(u => officers.Contains(u.Id) && u.IsActive && u.Email != null).OrderBy(u => u.Email).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// A change proposed under the two-person rule goes to the tenant's other active officers, with what it changes:
    /// one of them must approve or reject it, signed in on the policy page.
    /// </summary>
    private async Task PlanPolicyChangeAsync(LockboxDbContext db, OutboundMessage message, CancellationToken cancellationToken)
    {
        var changeId = JsonSerializer.Deserialize<JsonElement>(message.PayloadJson).GetProperty("changeId").GetGuid();
        var change = await db.PolicyChanges.FindAsync([changeId], cancellationToken)
            ?? throw new InvalidOperationException($"Policy change {changeId} is not in this operation.");
        var tenantName = await db.Tenants.Where(t => t.Id == change.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        var people = (await OfficersAsync(db, change.TenantId, cancellationToken)).Where(u => u.Id != change.ProposedById).ToList();
        var facts = new List<(string, string?)> { ("Tenant", tenantName), ("Proposed by", change.ProposedByName), ("Expires", EmailContent.Time(change.ExpiresAt)) };
        facts.AddRange(change.Lines.Select(l => ((string)l.What, (string?)$"{l.Before} → {l.After}")));
        foreach (var person in people)
        {
            var content = EmailContent.Compose(person.Email!, person.DisplayName, $"A policy change for {tenantName} awaits your approval",
                $"{change.ProposedByName} proposed a change to {tenantName}'s lockbox policy: {change.Title}. Under the two-person rule it takes effect only when another security officer approves it.",
                facts, portal.Value.LinkTo($"/tenants/{change.TenantId}/policy"), NoDecisionByEmail);
            db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Email, message.Type, change.TenantId, message.SubjectId, person.Email!, content.ToJson(), change.ProposedAt));
        }
    }

    /// <summary>
    /// A signed checkpoint of the tenant's trail goes to its security officers: the copy they keep is what proves a
    /// later re-written or cut trail, even if someone also removes the checkpoints from the database.
    /// </summary>
    private async Task PlanCheckpointAsync(LockboxDbContext db, Guid tenantId, OutboundMessage message, CancellationToken cancellationToken)
    {
        var checkpoint = JsonSerializer.Deserialize<JsonElement>(message.PayloadJson);
        var tenantName = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        var people = await OfficersAsync(db, tenantId, cancellationToken);
        var sequence = checkpoint.GetProperty("sequence").GetInt64();
        var now = time.GetUtcNow();
        foreach (var person in people)
        {
            var content = EmailContent.Compose(person.Email!, person.DisplayName, $"Signed checkpoint of {tenantName}'s audit trail (entry {sequence})",
                $"LockboxPortal signed the head of {tenantName}'s audit trail. Keep this message: the checkpoint below proves later that the trail up to this entry was not re-written or cut. Save its Checkpoint value to a file and check it with audit verify --checkpoint FILE, or with the offline verifier (docs/audit-trail.md).",
                [
                    ("Tenant", tenantName),
                    ("Entry", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("Hash", checkpoint.GetProperty("hash").GetString()),
                    ("Taken at", checkpoint.GetProperty("takenAt").GetString()),
                    ("Key id", checkpoint.GetProperty("keyId").GetString()),
                    ("Checkpoint", message.PayloadJson),
                ], portal.Value.LinkTo("/audit"), "The public key that checks the signature: /api/v1/audit/checkpoint-key.");
            db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Email, AuditCheckpoint, tenantId, message.SubjectId, person.Email!, content.ToJson(), now));
        }
    }

    private async Task PlanRequestAsync(LockboxDbContext db, RequestEvent change, CancellationToken cancellationToken)
    {
        // Found among what the operation tracks (the state it is about to commit), or read.
        var request = await db.AccessRequests.FindAsync([change.RequestId], cancellationToken)
            ?? throw new InvalidOperationException($"Request {change.RequestId} is not in this operation.");
        if (change.Kind is RequestEventKind.Revoked or RequestEventKind.Released or RequestEventKind.Completed or RequestEventKind.Extended
            || change.Kind == RequestEventKind.EmergencyRejected && request.Status == RequestStatus.Revoked)
        {
            await CancelScheduledAsync(db, request.Id.ToString(), GrantEndingSoon, cancellationToken);
        }

        // Nobody is emailed about these; a batch of thousands of grants completing reads nothing more.
        if (!email.Value.Enabled || change.Kind is RequestEventKind.Filed or RequestEventKind.Cancelled or RequestEventKind.Released or RequestEventKind.Completed)
        {
            return;
        }

        var tenantName = await db.Tenants.Where(t => t.Id == request.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        var requester = await PersonAsync(db, request.RequesterId, cancellationToken);
        switch (change.Kind)
        {
            case RequestEventKind.InternalApproved:
                foreach (var person in await Recipients.ApproversAndDelegatesAsync(db, request.TenantId, time.GetUtcNow(), cancellationToken))
                {
                    if (person.Id == request.RequesterId)
                    {
                        continue;
                    }

                    Add(db, change, request, person, $"{request.Reference} awaits your approval ({tenantName})",
                        $"{request.RequesterName} asks for {Level(request)} access to {request.Scope} in {tenantName}. It needs your decision by {EmailContent.Time(request.ExpiresAt)}.",
                        tenantName);
                }

                break;

            case RequestEventKind.EmergencyDeclared:
                // Everyone who may ratify it, and every officer, at once: access is already open.
                var approvers = await Recipients.ApproversAndDelegatesAsync(db, request.TenantId, time.GetUtcNow(), cancellationToken);
                foreach (var person in approvers.Concat(await OfficersAsync(db, request.TenantId, cancellationToken)).DistinctBy(p => p.Id))
                {
                    if (person.Id == request.RequesterId)
                    {
                        continue;
                    }

                    Add(db, change, request, person, $"Emergency access to {tenantName}: ratify or reject {request.Reference}",
                        $"{request.RequesterName} declared an emergency (incident {request.IncidentReference}) and has {Level(request)} access to {request.Scope} in {tenantName} now, until {EmailContent.Time(request.GrantEndsAt)}. Your approvers must ratify or reject it by {EmailContent.Time(request.ExpiresAt)}; a rejection ends the access at once.",
                        tenantName);
                }

                break;

            case RequestEventKind.EmergencyUnratified:
                foreach (var person in await OfficersAsync(db, request.TenantId, cancellationToken))
                {
                    Add(db, change, request, person, $"Unratified emergency {request.Reference} in {tenantName} needs your review",
                        $"Nobody ratified or rejected {request.RequesterName}'s emergency (incident {request.IncidentReference}) by {EmailContent.Time(request.ExpiresAt)}. It is marked unratified, and {request.RequesterName} cannot declare another emergency in {tenantName} until an officer reviews it.",
                        tenantName);
                }

                break;

            case RequestEventKind.EmergencyRejected when requester is not null:
                Add(db, change, request, requester, $"Your emergency {request.Reference} was rejected",
                    request.Status == RequestStatus.Revoked
                        ? $"{change.ActorName} rejected your emergency in {tenantName}; your access ended at {EmailContent.Time(request.ClosedAt)}."
                        : $"{change.ActorName} rejected your emergency in {tenantName}.",
                    tenantName, request.Decisions[^1].Comment);
                break;

            case RequestEventKind.CustomerApproved when request.IsEmergency:
                // One approval toward ratifying an emergency: the queue shows the count; the quorum's outcome is the news.
                break;

            case RequestEventKind.CustomerApproved or RequestEventKind.CustomerRejected:
                var decision = request.Decisions[^1];
                var settled = request.Status != RequestStatus.PendingCustomer;
                var what = change.Kind == RequestEventKind.CustomerApproved ? "approved" : "rejected";
                foreach (var person in await Recipients.DecidersAsync(db, request, time.GetUtcNow(), cancellationToken))
                {
                    if (person.Id == request.RequesterId || decision.PeopleCounted.Contains(person.Id))
                    {
                        continue;
                    }

                    Add(db, change, request, person,
                        settled ? $"{request.Reference} is settled: {what} by {decision.DescribeDecider()}" : $"{request.Reference}: {decision.DescribeDecider()} approved",
                        settled
                            ? $"{decision.DescribeDecider()} {what} this request; it needs nobody else's decision."
                            : $"{decision.DescribeDecider()} approved this request; {request.CustomerApprovals.Count} of {request.RequiredApprovals} approvals so far.",
                        tenantName);
                }

                if (settled && requester is not null)
                {
                    Add(db, change, request, requester, $"Your request {request.Reference} was {what}",
                        request.Status switch
                        {
                            RequestStatus.Approved =>
                                $"{tenantName} approved your request. Your grant runs from {EmailContent.Time(request.GrantStartsAt)} to {EmailContent.Time(request.GrantEndsAt)}.",
                            RequestStatus.Extended => $"{tenantName} approved more time on {request.ExtendsReference}; that grant now ends later.",
                            _ => $"{decision.DescribeDecider()} rejected your request for {tenantName}.",
                        },
                        tenantName, decision.Comment);
                }

                if (request.Status == RequestStatus.Approved && requester is not null)
                {
                    ScheduleGrantEnding(db, change, request, requester, tenantName);
                }

                break;

            case RequestEventKind.Extended when requester is not null:
                // The "ends soon" notice moves with the end (cancelled above, written again for the new end).
                ScheduleGrantEnding(db, change, request, requester, tenantName);
                break;

            case RequestEventKind.Escalated:
                // Those who could decide before were told already; the escalation list (and its delegates) hears now.
                var before = (await Recipients.ApproversAndDelegatesAsync(db, request.TenantId, time.GetUtcNow(), cancellationToken)).Select(p => p.Id).ToHashSet();
                foreach (var person in await Recipients.EscalationApproversAndDelegatesAsync(db, request.TenantId, time.GetUtcNow(), cancellationToken))
                {
                    if (person.Id == request.RequesterId || before.Contains(person.Id))
                    {
                        continue;
                    }

                    Add(db, change, request, person, $"Escalated: {request.Reference} awaits your approval ({tenantName})",
                        $"Nobody has decided {request.RequesterName}'s request for {Level(request)} access to {request.Scope} in {tenantName} yet, so it was escalated to you. It needs a decision by {EmailContent.Time(request.ExpiresAt)}.",
                        tenantName);
                }

                break;

            case RequestEventKind.InternalDenied when requester is not null:
                Add(db, change, request, requester, $"Your request {request.Reference} was denied",
                    $"{change.ActorName} denied your request for {tenantName} at the provider's stage.", tenantName, request.Decisions[^1].Comment);
                break;

            case RequestEventKind.Expired when requester is not null:
                Add(db, change, request, requester, $"Your request {request.Reference} expired",
                    $"Nobody decided your request for {tenantName} before {EmailContent.Time(request.ExpiresAt)}; it has expired.", tenantName);
                break;

            case RequestEventKind.QuestionAsked when requester is not null && QuestionIn(db, request.Id) is { } asked:
                Add(db, change, request, requester, $"{asked.AskerName} asks about your request {request.Reference}",
                    $"{asked.AskerName} asked you a question about your request for {tenantName}. Answer it on the request's page or through the API; the deadline does not move.",
                    tenantName, asked.Text, "Question");
                break;

            case RequestEventKind.QuestionAnswered when QuestionIn(db, request.Id) is { } answered && await PersonAsync(db, answered.AskerId, cancellationToken) is { } asker:
                Add(db, change, request, asker, $"{request.RequesterName} answered your question about {request.Reference}",
                    $"{request.RequesterName} answered the question you asked about this request: \"{Cut(answered.Text, 200)}\"", tenantName, answered.Answer, "Answer");
                break;

            case RequestEventKind.Revoked when requester is not null:
                Add(db, change, request, requester, $"Your grant for {request.Reference} was revoked",
                    $"{change.ActorName} revoked your grant in {tenantName}; access ended at {EmailContent.Time(request.ClosedAt)}.", tenantName, request.ClosedReason);
                break;
        }
    }

    /// <summary>A reminder to the approvers and active delegates who have not decided yet; returns how many were written to.</summary>
    public async Task<int> RemindAsync(LockboxDbContext db, AccessRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!email.Value.Enabled)
        {
            return 0;
        }

        var tenantName = await db.Tenants.Where(t => t.Id == request.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        var decided = request.Decisions.Where(d => d.Stage == DecisionStage.Customer).SelectMany(d => d.PeopleCounted).ToHashSet();
        var told = 0;
        foreach (var person in await Recipients.DecidersAsync(db, request, now, cancellationToken))
        {
            if (person.Id == request.RequesterId || decided.Contains(person.Id))
            {
                continue;
            }

            var content = Compose(request, person, $"Reminder: {request.Reference} awaits your approval ({tenantName})",
                $"{request.RequesterName}'s request for {request.Scope} in {tenantName} still needs a decision; it expires at {EmailContent.Time(request.ExpiresAt)}.",
                tenantName, null);
            db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Email, Reminder, request.TenantId, request.Id.ToString(), person.Email!, content.ToJson(), now));
            told++;
        }

        return told;
    }

    private void ScheduleGrantEnding(LockboxDbContext db, RequestEvent change, AccessRequest request, PortalUser requester, string tenantName)
    {
        var window = request.GrantEndsAt!.Value - request.GrantStartsAt!.Value;
        var lead = window < GrantEndingLead * 2 ? window / 2 : GrantEndingLead;
        var content = Compose(request, requester, $"Your grant for {request.Reference} ends at {EmailContent.Time(request.GrantEndsAt)}",
            $"Your access to {request.Scope} in {tenantName} ends at {EmailContent.Time(request.GrantEndsAt)}. Ask for more time on the request's page if the work needs longer.",
            tenantName, null);
        db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Email, GrantEndingSoon, request.TenantId, request.Id.ToString(),
            requester.Email!, content.ToJson(), change.At, notBefore: request.GrantEndsAt.Value - lead));
    }

    private async Task PlanDelegationAsync(LockboxDbContext db, DelegationEvent change, CancellationToken cancellationToken)
    {
        var delegation = await db.Delegations.FindAsync([change.DelegationId], cancellationToken)
            ?? throw new InvalidOperationException($"Delegation {change.DelegationId} is not in this operation.");
        if (change.Kind == DelegationEventKind.Revoked)
        {
            // Revoked before it started: its "starts" notice has nothing left to announce.
            await CancelScheduledAsync(db, delegation.Id.ToString(), DelegationStarted, cancellationToken);
        }

        if (!email.Value.Enabled || await PersonAsync(db, delegation.DelegateId, cancellationToken) is not { } person)
        {
            return;
        }

        var tenantName = await db.Tenants.Where(t => t.Id == delegation.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        var window = $"{EmailContent.Time(delegation.StartsAt)} to {EmailContent.Time(delegation.EndsAt)}";
        var facts = new List<(string, string?)>
        {
            ("Tenant", tenantName),
            ("On behalf of", delegation.DelegatorName),
            ("From", EmailContent.Time(delegation.StartsAt)),
            ("Until", EmailContent.Time(delegation.EndsAt)),
            ("Reason", delegation.Reason),
        };
        var link = portal.Value.LinkTo("/delegations");
        if (change.Kind == DelegationEventKind.Created)
        {
            var content = EmailContent.Compose(person.Email!, person.DisplayName, $"You may approve for {delegation.DelegatorName} in {tenantName}",
                $"{delegation.DelegatorName} delegated their approval authority in {tenantName} to you, {window}.", facts, link, NoDecisionByEmail);
            db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Email, DelegationStarted, delegation.TenantId, delegation.Id.ToString(),
                person.Email!, content.ToJson(), change.At, notBefore: delegation.StartsAt));
            return;
        }

        var ended = EmailContent.Compose(person.Email!, person.DisplayName, $"Your delegation from {delegation.DelegatorName} in {tenantName} has ended",
            change.Kind == DelegationEventKind.Revoked
                ? $"The delegation from {delegation.DelegatorName} in {tenantName} ({window}) was revoked by {delegation.RevokedByName}; you no longer approve on their behalf."
                : $"The delegation from {delegation.DelegatorName} in {tenantName} ({window}) has ended; you no longer approve on their behalf.",
            facts, link);
        db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Email, "Delegation." + change.Kind, delegation.TenantId, delegation.Id.ToString(),
            person.Email!, ended.ToJson(), change.At));
    }

    private void Add(
        LockboxDbContext db, RequestEvent change, AccessRequest request, PortalUser person, string subject, string intro, string tenantName, string? comment = null,
        string commentLabel = "Comment")
    {
        var content = Compose(request, person, subject, intro, tenantName, comment, commentLabel);
        db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Email, "AccessRequest." + change.Kind, request.TenantId, request.Id.ToString(),
            person.Email!, content.ToJson(), change.At));
    }

    private EmailContent Compose(AccessRequest request, PortalUser person, string subject, string intro, string tenantName, string? comment, string commentLabel = "Comment") =>
        EmailContent.Compose(person.Email!, person.DisplayName, subject, intro,
        [
            ("Reference", request.Reference),
            ("Tenant", tenantName),
            ("Requester", request.RequesterName),
            ("Scope", request.Scope),
            ("Access level", Level(request)),
            ("Justification", request.Justification),
            ("Ticket", request.TicketReference),
            ("Incident", request.IncidentReference),
            ("Decide by", request.Status is RequestStatus.PendingInternal or RequestStatus.PendingCustomer || request.Ratification == Ratification.Pending
                ? EmailContent.Time(request.ExpiresAt) : null),
            (commentLabel, comment),
        ], portal.Value.LinkTo($"/requests/{request.Id}"), NoDecisionByEmail);

    /// <summary>The question this operation asked or answered about the request, as it is about to commit.</summary>
    private static RequestQuestion? QuestionIn(LockboxDbContext db, Guid requestId) =>
        db.ChangeTracker.Entries<RequestQuestion>()
            .Where(e => e.State is EntityState.Added or EntityState.Modified && e.Entity.AccessRequestId == requestId)
            .Select(e => e.Entity)
            .SingleOrDefault();

    private static string Cut(string text, int length) => text.Length > length ? text[..(length - 1)] + "…" : text;

    private static string Level(AccessRequest request) => request.AccessLevel == AccessLevel.ReadWrite ? "read-write" : "read";

    private static async Task<PortalUser?> PersonAsync(LockboxDbContext db, string userId, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId && u.IsActive && u.Email != null, cancellationToken);

    /// <summary>A scheduled notice that a later change made pointless is dropped with that change, in its transaction.</summary>
    private static Task<int> CancelScheduledAsync(LockboxDbContext db, string subjectId, string type, CancellationToken cancellationToken) =>
        db.Set<OutboxMessage>().Where(m => m.SubjectId == subjectId && m.Type == type && m.SentAt == null).ExecuteDeleteAsync(cancellationToken);
}
