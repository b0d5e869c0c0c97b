using System.Globalization;
using System.Text.Json;

namespace LockboxPortal.Features.Audit;

/// <summary>
/// The checkpoint part of <c>audit verify</c>, apart from the chain's own hashes: the stored checkpoints, and with
/// <c>--checkpoint FILE</c> one kept outside the database (a JSON export, or a checkpoint document as sent to the tenant).
/// </summary>
public static class AuditCheckpointCommand
{
    public static async Task<CheckpointVerification> VerifyAsync(ConsoleCommandContext context, AuditChainInfo chain)
    {
        var checkpoints = context.Services.GetRequiredService<AuditCheckpoints>();
        var stored = await checkpoints.VerifyAsync(chain.ChainId, context.CancellationToken);
        if (!stored.IsIntact || context.Option("--checkpoint") is not { } file)
        {
            return stored;
        }

        var kept = Read(file);
        if (kept.ChainId != chain.ChainId)
        {
            return stored;
        }

        var outside = await checkpoints.VerifyAsync(kept, context.CancellationToken);
        return outside.IsIntact ? stored with { Checked = stored.Checked + 1 } : outside;
    }

    /// <summary>A checkpoint document, or the <c>checkpoint</c> of a JSON export.</summary>
    public static AuditCheckpoint Read(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        var root = document.RootElement;
        if (root.TryGetProperty("checkpoint", out var inner) && inner.ValueKind == JsonValueKind.Object)
        {
            root = inner;
        }

        return AuditCheckpoint.FromParts(
            Guid.Parse(root.GetProperty("chainId").GetString()!),
            root.GetProperty("sequence").GetInt64(),
            root.GetProperty("hash").GetString()!,
            DateTimeOffset.ParseExact(root.GetProperty("takenAt").GetString()!, AuditEntry.TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            root.GetProperty("keyId").GetString()!,
            root.GetProperty("signature").GetString()!);
    }
}
