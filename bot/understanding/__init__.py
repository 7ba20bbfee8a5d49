"""Reading the facts a flow needs out of whatever the customer wrote.

Customers tell the whole case in one message, answer a question inside a sentence and correct
themselves on the way. The modules here find each kind of fact in free text, one job per module
(addresses, names, corrections), and `facts` puts them together per flow. They use the
project's identifiers (postcode registers, dates, choices) and know nothing of Rasa.
"""
