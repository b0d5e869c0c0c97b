using System.Text.Json;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Notifications;
using LockboxPortal.Tests.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Notifications;

/// <summary>Finding 5: each signed checkpoint of a tenant's trail reaches that tenant's security officers by email, through the outbox.</summary>
public sealed class CheckpointEmailTests
{
    [Fact]
    public async Task ANewCheckpoint_IsMailedToTheTenantsSecurityOfficersOnly_WithTheSignedDocument_ThatVerifies()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        await AuditTestData.AppendAsync(harness, harness.Contoso, 3);
        await AuditTestData.AppendAsync(harness, null, 1);
        var checkpoints = harness.Services.GetRequiredService<AuditCheckpoints>();

        var taken = await checkpoints.TakeAsync(harness.Contoso);
        await checkpoints.TakeAsync(harness.Contoso);
        await checkpoints.TakeAsync(AuditEntry.ProviderChain);
        await email.DispatchAsync();

        var received = email.Received(EmailNotices.AuditCheckpoint);
        var mail = Assert.Single(received, m => m.Key == $"{Cast.ContosoOfficer}@test").Value;
        Assert.Single(received);
        Assert.Equal("Signed checkpoint of Contoso's audit trail (entry 3)", mail.Message.Subject);
        Assert.Contains(taken!.Hash, mail.Text, StringComparison.Ordinal);
        Assert.Contains(taken.Signature, mail.Text, StringComparison.Ordinal);

        // What the officer saves from the message is a checkpoint the portal's key verifies, and it names this chain's head.
        var line = mail.Text.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("Checkpoint:", StringComparison.Ordinal));
        var file = Path.Combine(Path.GetDirectoryName(harness.DatabasePath)!, "kept-checkpoint.json");
        await File.WriteAllTextAsync(file, line["Checkpoint:".Length..].Trim());
        var kept = AuditCheckpointCommand.Read(file);
        Assert.Equal((harness.Contoso, 3L, taken.Hash), (kept.ChainId, kept.Sequence, kept.Hash));
        Assert.True((await checkpoints.VerifyAsync(kept)).IsIntact);
    }
}
