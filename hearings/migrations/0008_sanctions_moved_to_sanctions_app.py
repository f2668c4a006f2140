from django.db import migrations


class Migration(migrations.Migration):
    """The sanction specifications and benchmarks now belong to the sanctions app (its 0001
    takes them over with their tables): removed from this app's state only."""

    dependencies = [
        ("hearings", "0007_integrity_insert_guards"),
        ("sanctions", "0001_take_over_specifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                    migrations.RemoveField(
                        model_name='sanctionspecification',
                        name='decision',
                    ),
                    migrations.RemoveField(
                        model_name='sanctionspecification',
                        name='findings',
                    ),
                    migrations.RemoveField(
                        model_name='sanctionspecification',
                        name='supply_relationship',
                    ),
                    migrations.RemoveField(
                        model_name='sanctionspecification',
                        name='target_country',
                    ),
                    migrations.RemoveField(
                        model_name='sanctionspecification',
                        name='target_organization',
                    ),
                    migrations.RemoveField(
                        model_name='sanctionspecification',
                        name='target_sector',
                    ),
                    migrations.DeleteModel(
                        name='SanctionBenchmark',
                    ),
                    migrations.DeleteModel(
                        name='SanctionSpecification',
                    ),
            ],
        ),
    ]
