using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Notifications;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> message)
    {
        message.ToTable("OutboxMessages");
        message.Property(m => m.Id).ValueGeneratedNever();
        message.Property(m => m.Type).HasMaxLength(80);
        message.Property(m => m.SubjectId).HasMaxLength(100);
        message.Property(m => m.Recipient).HasMaxLength(320);
        message.Property(m => m.LeaseOwner).HasMaxLength(100);
        message.Property(m => m.LastError).HasMaxLength(2000);
        message.HasIndex(m => new { m.SentAt, m.DueAt });
        message.HasIndex(m => new { m.SubjectId, m.Type });
    }
}
