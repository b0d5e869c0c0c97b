using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// A person on a tenant's escalation list: they may decide a request only once it has been escalated (it waited
/// <see cref="TenantPolicy.EscalateAfter"/> without a decision), under the same rules as the approvers. Kept apart
/// from <see cref="ApproverListEntry"/>, so nothing that reads the approver list grants them more. Removing the row
/// takes effect at once.
/// </summary>
public sealed class EscalationListEntry
{
    private EscalationListEntry()
    {
        UserId = "";
    }

    public EscalationListEntry(Guid tenantId, string userId, DateTimeOffset addedAt)
    {
        Id = Guid.NewGuid();
        TenantId = tenantId;
        UserId = userId;
        AddedAt = addedAt;
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string UserId { get; private set; }

    public DateTimeOffset AddedAt { get; private set; }
}

internal sealed class EscalationListEntryConfiguration : IEntityTypeConfiguration<EscalationListEntry>
{
    public void Configure(EntityTypeBuilder<EscalationListEntry> entry)
    {
        entry.ToTable("EscalationListEntries");
        entry.HasIndex(e => new { e.TenantId, e.UserId }).IsUnique();
        entry.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<PortalUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
