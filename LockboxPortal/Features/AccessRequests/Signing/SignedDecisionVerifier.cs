using System.Buffers.Text;
using System.Text.Json;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.AccessRequests.Signing;

/// <summary>A signed decision that does not verify, named by its request's reference, outcome and approver.</summary>
public sealed record SignedDecisionFailure(string Reference, string Outcome, string DeciderId, string Why)
{
    public override string ToString() => $"{Reference} {Outcome} by {DeciderId}: {Why}";
}

/// <summary>The outcome of checking a tenant's signed decisions.</summary>
public sealed record SignedDecisionsVerification(int Checked, IReadOnlyList<SignedDecisionFailure> Failures)
{
    public bool IsIntact => Failures.Count == 0;

    public override string ToString() => IsIntact
        ? $"{Checked} signed decisions verify"
        : $"{Failures.Count} of {Checked} signed decisions fail: {string.Join("; ", Failures)}";
}

/// <summary>
/// Checks every passkey-signed decision of a tenant (DESIGN.md rule 12) against what is stored now: the statement is
/// rebuilt from the request as stored, so an edited scope, level or duration breaks the signature; the signature must
/// verify with the key the approver registered, as the tenant's trail recorded it when the passkey was added (under
/// the hash chain and the signed checkpoints, so rewriting the passkey table forges nothing); the decision must be in
/// the request's state, with a grant no longer than the signed duration; and the trail and the stored signatures must
/// agree, so a signature invented in the table or removed from it is named too.
/// </summary>
public sealed class SignedDecisionVerifier(IDbContextFactory<LockboxDbContext> dbFactory)
{
    private static readonly AuditEventType[] SignedEvents =
        [AuditEventType.AccessRequest_CustomerApproved, AuditEventType.AccessRequest_CustomerRejected, AuditEventType.Grant_Revoked];

    public async Task<SignedDecisionsVerification> VerifyAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.SignedDecisions.AsNoTracking()
            .Join(db.AccessRequests.AsNoTracking().Include(r => r.Decisions).Where(r => r.TenantId == tenantId), s => s.AccessRequestId, r => r.Id, (s, r) => new { Signed = s, Request = r })
            .ToListAsync(cancellationToken);
        var keys = await RegisteredKeysAsync(db, tenantId, cancellationToken);

        // What approved extensions added to each grant: consented to by their own (signed, where asked) decisions.
        var extended = (await db.AccessRequests.AsNoTracking().Include(r => r.Decisions)
                .Where(r => r.TenantId == tenantId && r.Status == RequestStatus.Extended).ToListAsync(cancellationToken))
            .GroupBy(r => r.ExtendsRequestId!.Value)
            .ToDictionary(g => g.Key, g => g.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.GrantedDuration));
        var inTrail = await TrailSignaturesAsync(db, tenantId, cancellationToken);

        var failures = new List<SignedDecisionFailure>();
        foreach (var (signed, request) in rows.Select(r => (r.Signed, r.Request)).OrderBy(r => r.Signed.SignedAt))
        {
            if (Check(signed, request, keys, inTrail.ContainsKey(signed.Signature), extended.GetValueOrDefault(request.Id)) is { } why)
            {
                failures.Add(new SignedDecisionFailure(request.Reference, signed.Outcome, signed.DeciderId, why));
            }
        }

        var stored = rows.Select(r => r.Signed.Signature).ToHashSet(StringComparer.Ordinal);
        foreach (var (signature, (reference, outcome, decider)) in inTrail.Where(t => !stored.Contains(t.Key)))
        {
            failures.Add(new SignedDecisionFailure(reference, outcome, decider, "the trail records this signed decision, the database no longer holds it"));
        }

        return new SignedDecisionsVerification(Math.Max(rows.Count, inTrail.Count), failures);
    }

    private static string? Check(
        SignedDecision signed, AccessRequest request, Dictionary<(string, string), (byte[] Key, int Algorithm)> keys, bool inTrail, TimeSpan extendedBy)
    {
        // An approval for less time than requested signed that shorter duration.
        var allowed = signed.Outcome == DecisionStatement.Approve
            ? request.Decisions.FirstOrDefault(d => d.Stage == DecisionStage.Customer && d.Outcome == DecisionOutcome.Approved && d.DeciderId == signed.DeciderId)?.AllowedDuration
            : null;
        var statement = DecisionStatement.For(request, signed.Outcome, signed.DeciderId, signed.SignedAt, allowed);
        if (!keys.TryGetValue((signed.DeciderId, signed.CredentialId), out var registered))
        {
            return "signed with a passkey the trail never recorded for this approver";
        }

        if (!Uri.TryCreate(signed.Origin, UriKind.Absolute, out var origin)
            || !(origin.Host == signed.RpId || origin.Host.EndsWith("." + signed.RpId, StringComparison.Ordinal)))
        {
            return $"the origin {signed.Origin} does not belong to the relying party {signed.RpId}";
        }

        if (signed.ToAssertion().Verify(registered.Key, registered.Algorithm, statement.Challenge(), signed.Origin, signed.RpId) is { } failed)
        {
            return failed + " (the request or the decision was changed after it was signed)";
        }

        var stateHolds = signed.Outcome switch
        {
            DecisionStatement.Revoke => request.Status == RequestStatus.Revoked,
            _ => request.Decisions.Any(d => d.Stage == DecisionStage.Customer && d.DeciderId == signed.DeciderId
                && d.Outcome == (signed.Outcome == DecisionStatement.Approve ? DecisionOutcome.Approved : DecisionOutcome.Rejected)),
        };
        if (!stateHolds)
        {
            return "the request no longer holds the decision that was signed";
        }

        if (request.GrantStartsAt is { } start && request.GrantEndsAt is { } end && end - start > TimeSpan.FromSeconds(statement.GrantedDurationSeconds) + extendedBy)
        {
            return $"the grant lasts {end - start}, longer than the {TimeSpan.FromSeconds(statement.GrantedDurationSeconds)} signed"
                + (extendedBy > TimeSpan.Zero ? $" and the {extendedBy} its extensions added" : "");
        }

        return inTrail ? null : "the trail has no entry for this signature (a decision added to the database)";
    }

    /// <summary>The passkeys' public keys as the tenant's trail recorded them, by (person, credential id).</summary>
    private static async Task<Dictionary<(string, string), (byte[] Key, int Algorithm)>> RegisteredKeysAsync(
        LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var added = await db.AuditEntries.AsNoTracking()
            .Where(e => e.ChainId == tenantId && e.EventType == AuditEventType.Passkey_Added)
            .Select(e => new { e.SubjectId, e.DetailsJson })
            .ToListAsync(cancellationToken);
        var keys = new Dictionary<(string, string), (byte[], int)>();
        foreach (var entry in added)
        {
            using var details = JsonDocument.Parse(entry.DetailsJson);
            if (details.RootElement.TryGetProperty("credentialId", out var id)
                && details.RootElement.TryGetProperty("publicKey", out var key) && key.ValueKind == JsonValueKind.String
                && details.RootElement.TryGetProperty("algorithm", out var algorithm) && algorithm.ValueKind == JsonValueKind.Number)
            {
                keys[(entry.SubjectId, id.GetString() ?? "")] = (Base64Url.DecodeFromChars(key.GetString()), algorithm.GetInt32());
            }
        }

        return keys;
    }

    /// <summary>The signatures the tenant's decision entries carry, with the reference, outcome and approver they name.</summary>
    private static async Task<Dictionary<string, (string Reference, string Outcome, string Decider)>> TrailSignaturesAsync(
        LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(e => e.ChainId == tenantId && SignedEvents.Contains(e.EventType) && e.DetailsJson.Contains("\"signature\":{"))
            .Select(e => e.DetailsJson)
            .ToListAsync(cancellationToken);
        var signatures = new Dictionary<string, (string, string, string)>(StringComparer.Ordinal);
        foreach (var json in entries)
        {
            using var details = JsonDocument.Parse(json);
            var root = details.RootElement;
            if (root.TryGetProperty("signature", out var signature) && signature.ValueKind == JsonValueKind.Object)
            {
                var statement = signature.GetProperty("statement");
                signatures[signature.GetProperty("signature").GetString() ?? ""] = (
                    root.TryGetProperty("reference", out var reference) ? reference.GetString() ?? "" : "",
                    statement.GetProperty("outcome").GetString() ?? "",
                    statement.GetProperty("deciderId").GetString() ?? "");
            }
        }

        return signatures;
    }
}
