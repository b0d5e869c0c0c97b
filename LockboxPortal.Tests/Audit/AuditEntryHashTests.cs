using System.Security.Cryptography;
using System.Text;
using LockboxPortal.Features.Audit;

namespace LockboxPortal.Tests.Audit;

/// <summary>
/// The hash is the SHA-256 of the canonical form's UTF-8 bytes, as docs/audit-trail.md says: the hash writes those
/// bytes itself rather than through the string, so these tests hold the two equal.
/// </summary>
public sealed class AuditEntryHashTests
{
    private static readonly Guid Chain = Guid.Parse("c0a70500-0000-4000-8000-000000000001");
    private static readonly DateTimeOffset At = new(2026, 3, 2, 9, 0, 1, TimeSpan.Zero);

    public static TheoryData<string, Guid?, string, string?, string?, string> Entries => new()
    {
        { "Plain", Chain, "User 1", null, null, "{}" },
        { "Provider chain, nothing optional", null, "Ada Admin", null, null, "{}" },
        { "Non-ASCII everywhere", Chain, "Zoë Approver 🔒 日本", "Jürgen Delegator", "Mozilla/5.0 (Ünïcode)", """{"comment":"ça va — 👍"}""" },
        { "Details longer than the stack buffer", Chain, "User 2", "Someone", "agent", "{\"text\":\"" + new string('é', 3000) + "\"}" },
    };

    [Theory]
    [MemberData(nameof(Entries))]
    public void Hash_IsSha256OfTheCanonicalFormsUtf8Bytes(string name, Guid? tenant, string actorName, string? onBehalfOf, string? userAgent, string details)
    {
        var entry = Entry(tenant, actorName, onBehalfOf, userAgent, details);

        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(entry.CanonicalForm())));

        Assert.True(expected == entry.Hash, name);
        Assert.Equal(expected, entry.ComputeHash());
    }

    [Fact]
    public void Hash_OfAKnownEntry_MatchesTheDocumentedForm()
    {
        // Computed with the Python canonical() of docs/audit-trail.md.
        var entry = new AuditEntry(Chain, 7, At, new AuditRecord(
            AuditEventType.AccessRequest_CustomerApproved, new Actor("u1", "Zoë Approver 🔒"), Chain, "AccessRequest",
            "6f1c2b3a-1d2e-4f50-8a9b-0c1d2e3f4a5b", """{"reference":"LBX-2026-000123"}""", Client: new ClientInfo("203.0.113.9", "Mozilla/5.0")),
            AuditEntry.GenesisHash);

        Assert.Equal("674c08aa3be053106c2bbadeb718cfd64693a67912cdf697f20b6e3d45305d35", entry.Hash);
    }

    private static AuditEntry Entry(Guid? tenant, string actorName, string? onBehalfOf, string? userAgent, string details) =>
        new(tenant ?? AuditEntry.ProviderChain, 42, At.AddTicks(1234567), new AuditRecord(
            AuditEventType.AccessRequest_Filed, new Actor("id-1", actorName), tenant, "AccessRequest", "subject", details,
            onBehalfOf is null ? null : new Actor("id-2", onBehalfOf), userAgent is null ? null : new ClientInfo("198.51.100.7", userAgent)),
            AuditEntry.GenesisHash);
}
