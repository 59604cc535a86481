from checklist import create_app

app = create_app()
