namespace LockboxPortal.Features.Approvers;

/// <summary>A person on a tenant's approver list (DESIGN.md rule 3). Removing the row takes effect at once.</summary>
public sealed class ApproverListEntry
{
    private ApproverListEntry()
    {
        UserId = "";
    }

    public ApproverListEntry(Guid tenantId, string userId, DateTimeOffset addedAt)
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
